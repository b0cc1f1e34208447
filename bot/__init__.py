"""Chinese COVID-19 vaccination FAQ chatbot."""
