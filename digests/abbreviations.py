"""Abbreviations for English news text (after pysbd's English lists, MIT licence) and words that open sentences."""

from __future__ import annotations

# A full stop after one of these usually belongs to the abbreviation (common words such as 'is' or 'ill' left out).
ABBREVIATIONS = frozenset(
    (
        "adj", "adm", "adv", "ala", "alta", "apr", "ariz", "ark", "art", "assn", "asst", "attys", "aug", "ave",
        "bld", "bldg", "blvd", "brig", "bros", "btw", "calif", "capt", "cmdr", "co", "col", "colo", "comdr",
        "conn", "corp", "cpl", "cres", "d.phil", "dec", "dept", "det", "dr", "dr.phil", "dr.philos", "drs", "e.g",
        "esp", "esq", "etc", "expy", "ext", "feb", "fig", "fla", "ft", "fwy", "gen", "gov", "hon", "hosp", "hway",
        "hwy", "i.e", "ida", "inc", "ing", "insp", "jan", "jr", "jul", "jun", "kan", "kans", "ky", "lt", "ltd",
        "maj", "messrs", "mex", "mfg", "mich", "minn", "mlle", "mme", "mont", "mr", "mrs", "ms", "msgr", "mssrs",
        "mt", "mtn", "neb", "nebr", "nev", "no", "nos", "nov", "nr", "oct", "okla", "ont", "p", "penn", "penna",
        "pfc", "ph", "ph.d", "plz", "pp", "prof", "pvt", "rep", "reps", "rev", "rt", "sask", "sen", "sens", "sep",
        "sept", "sfc", "sgt", "sr", "st", "supt", "surg", "tenn", "tex", "u.s", "univ", "usafa", "v", "viz", "vs",
        "vt", "wis", "wisc", "wy", "wyo",
    )
)

# Titles before a name: never the end of a sentence.
PREPOSITIVE = frozenset(
    (
        "adm", "attys", "brig", "capt", "cmdr", "col", "cpl", "det", "dr", "fig", "gen", "gov", "ing", "lt", "maj",
        "messrs", "mr", "mrs", "ms", "mssrs", "mt", "ph", "prof", "rep", "reps", "rev", "sen", "sens", "sgt", "st",
        "supt", "v", "vs",
    )
)

# Before a figure (No. 10, p. 5): not the end of a sentence.
NUMBER_ABBREVIATIONS = frozenset(
    (
        "art", "ext", "no", "nos", "p", "pp",
    )
)

# Words that open sentences: after an abbreviation or initial they show that the sentence ended.
STARTERS = frozenset(
    (
        "A", "An", "And", "As", "At", "But", "By", "For", "He", "Her", "His", "How", "I", "If", "In", "It", "Its",
        "Many", "More", "Most", "My", "No", "Now", "On", "Once", "One", "Our", "She", "So", "Some", "That", "The",
        "Their", "There", "These", "They", "This", "Those", "To", "Two", "Under", "We", "What", "When", "Where",
        "Which", "While", "Who", "Why", "With", "Yet", "You",
    )
)
