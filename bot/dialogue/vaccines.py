"""The vaccines of the explainer and the words users type for them
(data/dictionary/vaccines.yml): 科星, 智飛, 龍科馬 and 灭活 all map to one
canonical vaccine or technology route."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import yaml

from bot.paths import PROJECT_ROOT

DEFAULT_PATH = PROJECT_ROOT / "data" / "dictionary" / "vaccines.yml"


class Route(str, Enum):
    """The three technology routes the article lists."""

    INACTIVATED = "inactivated"
    RECOMBINANT_PROTEIN = "recombinant_protein"
    ADENOVIRUS_VECTOR = "adenovirus_vector"


class CatalogError(ValueError):
    pass


@dataclass(frozen=True)
class RouteInfo:
    route: Route
    name: str  # 灭活疫苗
    aliases: Tuple[str, ...]
    # Doses of the primary series as the article states them, with its words;
    # None where the article gives no number.
    primary_doses: Optional[int]
    primary_doses_quote: Optional[str]


@dataclass(frozen=True)
class Vaccine:
    id: str
    name: str  # the canonical value: what the `vaccine` slot holds
    full_name: str
    route: Route
    aliases: Tuple[str, ...]


@dataclass(frozen=True)
class VaccineMention:
    """One place a text names a vaccine (or only a technology route)."""

    alias: str  # the words as matched, after folding
    start: int
    end: int
    route: Route
    value: str  # the canonical slot value: the vaccine's name, else the route's (灭活疫苗)
    vaccine: Optional[Vaccine] = None  # None when only the route was named (灭活)


def fold(text: str) -> str:
    """Width, case and spacing only: aliases carry their own Traditional spellings."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or "")).lower()


def word_breaks(text: str) -> Tuple[int, ...]:
    """Where the user typed spaces between words, as offsets into fold(text).

    fold() drops spacing so 北京 生物 still names a vaccine, but people who
    type on phones without punctuation (我妈62 北京生物打了两针 她能打加强针不)
    use spaces where others write commas; the clause logic needs them back."""
    words = unicodedata.normalize("NFKC", text or "").split()
    # len(fold(word)), not len(word): lower() may lengthen a character (İ),
    # and the offsets must index fold(text) exactly.
    ends = [len(fold(word)) for word in words]
    return tuple(sum(ends[: i + 1]) for i in range(len(ends) - 1))


class VaccineCatalog:
    def __init__(self, routes: List[RouteInfo], vaccines: List[Vaccine], unnamed: Tuple[str, ...] = ()):
        self.routes: Dict[Route, RouteInfo] = {info.route: info for info in routes}
        self.unnamed = unnamed
        self.vaccines: Dict[str, Vaccine] = {v.id: v for v in vaccines}
        # alias -> (route, vaccine or None); vaccines win over routes on a clash.
        self._alias: Dict[str, Tuple[Route, Optional[Vaccine]]] = {}
        for info in routes:
            for alias in info.aliases:
                self._alias[fold(alias)] = (info.route, None)
        for vaccine in vaccines:
            for alias in (vaccine.name, *vaccine.aliases):
                self._alias[fold(alias)] = (vaccine.route, vaccine)
        # Longest alias first, so 智飞龙科马 is one mention rather than 智飞 + 龙科马.
        keys = sorted(self._alias, key=len, reverse=True)
        self._pattern = re.compile("|".join(re.escape(key) for key in keys))
        self._by_value = {v.name: v for v in vaccines}

    def route(self, route: Route) -> RouteInfo:
        return self.routes[route]

    def mentions(self, text: str) -> List[VaccineMention]:
        """Every vaccine or route named in `text`, left to right, without overlaps.

        Tries the text as typed first; when that finds nothing it tries the
        project's normalised form, which repairs typos not listed as aliases."""
        return self.mentions_in(text)[1]

    def mentions_in(self, text: str) -> Tuple[str, List[VaccineMention]]:
        """mentions(), with the text their positions index once folded: `text`
        itself, or its normalised form when only that names a vaccine (the
        normaliser's synonyms change lengths, so positions differ)."""
        found = self.scan(fold(text))
        if not found and text:
            from bot.text.normalize import normalize_query  # lazy: loads opencc and pypinyin

            normalized = normalize_query(text)
            found = self.scan(fold(normalized))
            if found:
                return normalized, found
        return text, found

    def scan(self, folded: str) -> List[VaccineMention]:
        """Mentions in text already folded (see fold()); no normalisation."""
        result = []
        for match in self._pattern.finditer(folded):
            route, vaccine = self._alias[match.group(0)]
            value = vaccine.name if vaccine else self.routes[route].name
            result.append(VaccineMention(match.group(0), match.start(), match.end(), route, value, vaccine))
        return result

    def canonicalise(self, text: str) -> Optional[VaccineMention]:
        """The first vaccine named in `text` (a slot value, a button payload, a
        user reply), preferring a named vaccine over a bare route; None if none."""
        found = self.mentions(text)
        named = [m for m in found if m.vaccine is not None]
        candidates = named or found
        return candidates[0] if candidates else None

    def unnamed_in(self, text: str) -> Optional[str]:
        """The first vaccine in `text` that the explainer does not name (辉瑞), as listed."""
        folded = fold(text)
        found = [(folded.find(fold(name)), name) for name in self.unnamed if fold(name) in folded]
        return min(found)[1] if found else None

    def by_value(self, value: str) -> Optional[Vaccine]:
        return self._by_value.get(value)

    def aliases(self) -> List[str]:
        """Every spelling recognised, folded, sorted: the Rasa lookup table's content."""
        return sorted(self._alias)

    def synonyms(self) -> Dict[str, List[str]]:
        """Canonical value -> the other spellings that mean it."""
        table: Dict[str, List[str]] = {}
        for alias, (route, vaccine) in self._alias.items():
            value = vaccine.name if vaccine else self.routes[route].name
            if alias != value:
                table.setdefault(value, []).append(alias)
        return {value: sorted(spellings) for value, spellings in sorted(table.items())}

    def primary_doses(self, route: Route) -> Optional[int]:
        return self.routes[route].primary_doses


def _strings(raw, where: str) -> Tuple[str, ...]:
    if not isinstance(raw, list) or not raw or not all(isinstance(a, str) and a.strip() for a in raw):
        raise CatalogError(f"{where}: 'aliases' must be a non-empty list of strings")
    return tuple(a.strip() for a in raw)


def load_catalog(path: Path = DEFAULT_PATH) -> VaccineCatalog:
    try:
        raw = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise CatalogError(f"cannot read {path}: {exc}") from exc
    if (
        not isinstance(raw, dict)
        or not isinstance(raw.get("routes"), list)
        or not isinstance(raw.get("vaccines"), list)
    ):
        raise CatalogError(f"{path}: expected 'routes' and 'vaccines' lists")
    routes = []
    for entry in raw["routes"]:
        try:
            route = Route(entry["id"])
        except (KeyError, TypeError, ValueError) as exc:
            raise CatalogError(f"{path}: unknown route entry {entry!r}") from exc
        doses = entry.get("primary_doses")
        if doses is not None and (isinstance(doses, bool) or not isinstance(doses, int) or doses < 1):
            raise CatalogError(f"{path}: route {route.value}: 'primary_doses' must be a whole number or null")
        if doses is not None and not entry.get("primary_doses_quote"):
            raise CatalogError(
                f"{path}: route {route.value}: a dose count needs the article's words in 'primary_doses_quote'"
            )
        routes.append(
            RouteInfo(
                route,
                str(entry["name"]),
                _strings(entry.get("aliases"), f"route {route.value}"),
                doses,
                entry.get("primary_doses_quote"),
            )
        )
    if {info.route for info in routes} != set(Route):
        raise CatalogError(f"{path}: every route ({', '.join(r.value for r in Route)}) needs one entry")
    vaccines = []
    for entry in raw["vaccines"]:
        if not isinstance(entry, dict) or not entry.get("id") or not entry.get("name"):
            raise CatalogError(f"{path}: vaccine entries need 'id' and 'name', got {entry!r}")
        try:
            route = Route(entry.get("route"))
        except ValueError as exc:
            raise CatalogError(f"{path}: vaccine {entry['id']}: unknown route {entry.get('route')!r}") from exc
        vaccines.append(
            Vaccine(
                str(entry["id"]),
                str(entry["name"]),
                str(entry.get("full_name") or entry["name"]),
                route,
                _strings(entry.get("aliases"), f"vaccine {entry['id']}"),
            )
        )
    seen: Dict[str, str] = {}
    for owner, aliases in [*((i.route.value, i.aliases) for i in routes), *((v.id, v.aliases) for v in vaccines)]:
        for alias in aliases:
            if seen.setdefault(fold(alias), owner) != owner:
                raise CatalogError(f"{path}: alias {alias!r} belongs to both {seen[fold(alias)]} and {owner}")
    unnamed = _strings(raw["unnamed"], "unnamed") if "unnamed" in raw else ()
    for name in unnamed:
        if fold(name) in seen:
            raise CatalogError(f"{path}: unnamed vaccine {name!r} is also an alias of {seen[fold(name)]}")
    return VaccineCatalog(routes, vaccines, unnamed)


@lru_cache(maxsize=1)
def catalog() -> VaccineCatalog:
    """The project's catalog, loaded once per process."""
    return load_catalog()


def canonicalise(text: str) -> Optional[VaccineMention]:
    return catalog().canonicalise(text)
