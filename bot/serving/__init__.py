"""Starting, stopping and talking to the running bot (Rasa server + action server)."""
