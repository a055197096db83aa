"""A small shipped synonym table (WordNet is not available offline).

Keys are lowercase words; values are replacements that keep the meaning and, for opinion words,
the polarity: a synonym attack must not flip the true label, or a "successful" attack would
only show the label changed. Weighted towards the words reviews, questions and instructions use.
"""

from __future__ import annotations

_GROUPS: tuple[tuple[str, ...], ...] = (
    # Positive opinion words.
    ("good", "fine", "decent", "nice"),
    ("great", "terrific", "superb", "excellent"),
    ("excellent", "exceptional", "first-class", "superb"),
    ("wonderful", "marvellous", "splendid", "lovely"),
    ("fantastic", "fabulous", "amazing", "tremendous"),
    ("delightful", "charming", "pleasing", "enjoyable"),
    ("impressive", "striking", "remarkable", "admirable"),
    ("outstanding", "exceptional", "superlative", "stellar"),
    ("brilliant", "dazzling", "superb", "magnificent"),
    ("pleasant", "agreeable", "nice", "enjoyable"),
    ("lovely", "beautiful", "pretty", "delightful"),
    ("loved", "adored", "cherished", "treasured"),
    ("enjoyed", "liked", "relished", "savoured"),
    ("happy", "pleased", "glad", "content"),
    ("thrilled", "delighted", "overjoyed", "elated"),
    ("recommend", "endorse", "suggest", "advocate"),
    ("best", "finest", "greatest", "top"),
    # Negative opinion words.
    ("bad", "poor", "awful", "lousy"),
    ("terrible", "dreadful", "atrocious", "abysmal"),
    ("awful", "horrible", "dreadful", "appalling"),
    ("disappointing", "unsatisfying", "underwhelming", "dissatisfying"),
    ("boring", "dull", "tedious", "monotonous"),
    ("bland", "insipid", "flavourless", "tasteless"),
    ("mediocre", "ordinary", "middling", "so-so"),
    ("frustrating", "annoying", "irritating", "exasperating"),
    ("useless", "worthless", "pointless", "futile"),
    ("sloppy", "careless", "slapdash", "messy"),
    ("shoddy", "flimsy", "cheap", "inferior"),
    ("hated", "loathed", "detested", "despised"),
    ("unhappy", "displeased", "dissatisfied", "discontented"),
    ("annoyed", "irritated", "vexed", "bothered"),
    ("waste", "squandering", "misuse", "loss"),
    ("worst", "poorest", "lousiest", "weakest"),
    # Intensifiers and hedges.
    ("really", "truly", "genuinely", "very"),
    ("very", "extremely", "highly", "really"),
    ("absolutely", "completely", "totally", "entirely"),
    ("utterly", "completely", "totally", "thoroughly"),
    ("honestly", "frankly", "truthfully", "candidly"),
    ("definitely", "certainly", "surely", "undoubtedly"),
    ("bit", "little", "touch", "tad"),
    # Common nouns and verbs.
    ("film", "movie", "picture", "feature"),
    ("movie", "film", "picture", "flick"),
    ("food", "cuisine", "fare", "meal"),
    ("staff", "team", "employees", "personnel"),
    ("room", "chamber", "suite", "quarters"),
    ("book", "volume", "title", "work"),
    ("story", "tale", "narrative", "plot"),
    ("price", "cost", "charge", "fee"),
    ("money", "cash", "funds", "budget"),
    ("ending", "finale", "conclusion", "close"),
    ("expected", "anticipated", "predicted", "foresaw"),
    ("overall", "altogether", "generally", "all in all"),
    ("question", "query", "problem", "item"),
    ("answer", "reply", "response", "solution"),
    ("compute", "calculate", "work out", "evaluate"),
    ("add", "sum", "total", "combine"),
    ("number", "figure", "value", "quantity"),
)


def _table() -> dict[str, tuple[str, ...]]:
    table: dict[str, list[str]] = {}
    for head, *rest in _GROUPS:
        for word in rest:
            if word != head and word not in table.setdefault(head, []):
                table[head].append(word)
    return {word: tuple(options) for word, options in table.items()}


SYNONYMS: dict[str, tuple[str, ...]] = _table()
"""Lowercase word → meaning-preserving replacements."""
