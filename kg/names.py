"""Names: normalisation, the grammar of Arabic-origin and Western personal names, and matching.

Transliteration varies between sources (al-Harzani / al-Harzany / Al Harzani / el-Harzani,
Saleh / Salih, Marzin / Marzeen). Two tools deal with it:

- :func:`skeleton` is a coarse phonetic key used only to *find* candidate matches;
- :func:`compound_words` joins the parts of compound names written apart ("Abdul Karim",
  "Saif ad-Din"), so that they compare with their joined spellings ("Abdelkarim", "Saifadin");
- under Arabic-name grammar (a kunya, a nisba or a nasab on both sides) :func:`part_match` also
  allows the consonant swaps of transliteration (g/j/z: Gabari / Jabari, Zahidi / Jahidi) and
  ``aw`` for ``u`` (Nawfali / Nufali); long words one typing slip apart match too, but never two
  different compass words;
- :func:`part_match` and :func:`person_match` decide, part by part, whether two names can denote
  one person: a kunya (Abu X) must agree, and every part of the shorter name must match a
  distinct part of the longer one.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz.distance import Indel, Levenshtein

_QUOTES = re.compile(r"['`\u2018\u2019\u02bc\u02bf\u02be\u00b4]")
_DQUOTES = "\"\u201c\u201d\u00ab\u00bb"
_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_POSSESSIVE = re.compile(r"(?:'s|’s|‘s|'|’)$")
#: Entries each name cache keeps (this module's, and :func:`kg.resolve.blocking_keys`'s). A bound keeps a
#: long build's memory from growing with the corpus's vocabulary: at the earlier 65,536-262,144 entries the
#: caches filled only as the corpus grew (a 3,000-article build's peak 767-772 MB, against 711 MB at this
#: bound, in no more time). A lower bound costs time where names recur: the ingest benchmark (the seeds,
#: repeated) took 31.2 s at the earlier bounds, 33.4 s at 8,192, 30.8 s at this bound.
CACHE_SIZE = 32768

#: Titles, ranks and honorifics that precede a name and are not part of it.
TITLES = frozenset({
    "mr", "mrs", "ms", "miss", "dr", "prof", "professor", "sir", "sheikh", "shaykh", "sheik", "imam", "mullah",
    "mawlawi", "maulana", "haji", "hajji", "emir", "amir", "caliph", "king", "prince", "queen", "president",
    "vice", "prime", "minister", "secretary", "senator", "sen", "rep", "representative", "governor", "gov",
    "mayor", "ambassador", "general", "gen", "lieutenant", "lt", "colonel", "col", "major", "maj", "captain",
    "capt", "cpt", "sergeant", "sgt", "corporal", "cpl", "private", "pvt", "admiral", "adm", "commander",
    "cmdr", "cdr", "brigadier", "brig", "marshal", "field", "staff", "chief", "officer", "commodore",
    "spokesman", "spokeswoman", "spokesperson", "deputy", "brig-gen", "lt-gen", "maj-gen", "lt-col",
    "pfc", "spc", "ens", "1st", "2nd", "rear", "air", "vice-admiral", "sheikha", "mufti", "ayatollah",
    "advisor", "adviser", "leader",
})
#: Heads of a kunya ("Abu Tarek", "Umm Layla").
KUNYA_HEADS = frozenset({"abu", "abou", "abo", "umm", "um", "oum"})
MATERNAL_KUNYA_HEADS = frozenset({"umm", "um", "oum"})
#: Nasab markers ("bin Nasser", "ibn Khalil").
NASAB_HEADS = frozenset({"bin", "ibn", "bint", "ben", "ould"})
#: The Arabic article as written in English transliteration ("al-", "el-", "Al ").
ARTICLES = frozenset({"al", "el", "ul"})
#: Western name particles, kept as part of the following surname.
WESTERN_PARTICLES = frozenset({"van", "von", "de", "der", "den", "du", "da", "di", "la", "le", "del", "della"})


@lru_cache(maxsize=CACHE_SIZE)
def fold(text: str) -> str:
    """ASCII, lower case, no quotes, words separated by single spaces."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    ascii_text = _QUOTES.sub("", ascii_text.lower())
    for q in _DQUOTES:
        ascii_text = ascii_text.replace(q, " ")
    return " ".join(_NON_ALNUM.sub(" ", ascii_text).split())


def strip_possessive(text: str) -> str:
    """``"Nabil al-Osmani's"`` -> ``"Nabil al-Osmani"``; ``"Sahra Brigades'"`` -> ``"Sahra Brigades"``."""
    return _POSSESSIVE.sub("", text).rstrip()


def entity_key(name: str) -> str:
    """The key of a name within its class: folded, without a leading article or Arabic particle."""
    words = fold(name).split()
    while words and words[0] in ("the", "a", "an"):
        words = words[1:]
    return " ".join(words) or "x"


def place_key(name: str) -> str:
    """The key place names are indexed under: an entity key without the Arabic article "al"/"el"."""
    words = entity_key(name).split()
    return " ".join(w for w in words if w not in ("al", "el")) or entity_key(name)


@lru_cache(maxsize=CACHE_SIZE)
def vowel_form(word: str) -> str:
    """A folded word with the commonest transliteration variants of vowels and endings unified.

    ``hashemi``/``hashimi`` -> ``hashimi``; ``quraishi``/``qurayshi``/``qurashi`` -> ``qurashi``;
    ``atmeh``/``atme`` -> ``atmi``; ``moluk`` -> ``muluk``; ``shammari`` -> ``shamari``.
    """
    w = fold(word).replace(" ", "")
    previous = None
    while w != previous:  # the rewrites can expose one another: run them to a fixpoint
        previous = w
        w = w.replace("ou", "u").replace("oo", "u").replace("ee", "i").replace("ei", "i")
        w = w.replace("e", "i").replace("o", "u")
        w = re.sub(r"(?<=[aiu])h$", "", w)  # atmeh -> atmi, hasakah -> hasaka
        w = re.sub(r"a[iy](?=[^aiu]|$)", "a", w)  # quraishi, qurayshi -> qurashi
        w = re.sub(r"(?<=[aiu])y(?=[aiu])", "", w)
        w = re.sub(r"(.)\1+", r"\1", w)  # shammari -> shamari
    return w


@lru_cache(maxsize=CACHE_SIZE)
def skeleton(word: str) -> str:
    """A coarse phonetic key: first letter, then consonants (``shammari``/``shammri`` -> ``shmr``)."""
    w = vowel_form(word).replace("q", "k")
    if not w:
        return ""
    rest = re.sub(r"[aeiouwy]", "", w[1:])
    return re.sub(r"(.)\1+", r"\1", w[0] + rest)


#: Compass words: two different ones never denote one place, however alike they are spelt.
COMPASS = frozenset(
    f"{a}{b}{c}" for a in ("north", "south", "east", "west", "northeast", "northwest", "southeast", "southwest")
    for b, c in (("", ""), ("ern", ""), ("ward", ""), ("", "s"))
) | frozenset({"central", "upper", "lower", "middle", "inner", "outer"})
#: Heads of Arabic compound given names ("Abd al-Karim", "Abdul Aziz"), joined to the next word.
ABD_HEADS = frozenset({"abd", "abdul", "abdel", "abdal", "abdil", "abdoul", "abdu"})
#: The second word of "X ad-Din" names ("Saif ad-Din", "Nur al-Din", "Salah ud-Din").
DIN_WORDS = frozenset({"din", "deen", "dine", "dinn"})
_DIN_ARTICLES = frozenset({"ad", "al", "ud", "ed", "el", "ul", "id"})
#: Minimum length of two words that may differ by one typing slip ("Associate" / "Associated").
TYPO_LENGTH = 8


def compound_words(words: list[str]) -> list[str]:
    """Folded words with Arabic compound names joined: ``abdul karim`` -> ``abdulkarim``,
    ``saif ad din`` -> ``saifaddin``."""
    out: list[str] = []
    i = 0
    while i < len(words):
        w = words[i]
        if w in ABD_HEADS and i + 1 < len(words):
            j = i + 2 if words[i + 1] in ARTICLES and i + 2 < len(words) else i + 1
            out.append("".join(words[i:j + 1]))
            i = j + 1
        elif i + 2 < len(words) and words[i + 1] in _DIN_ARTICLES and words[i + 2] in DIN_WORDS:
            out.append(w + "addin")
            i += 3
        else:
            out.append(w)
            i += 1
    return out


def name_words(text: str) -> list[str]:
    """The words that identify a group's or place's name: folded, compounds joined, without the
    article, the last word singular ("Northern Lions Brigades" -> ``northern lions brigade``)."""
    words = [w for w in compound_words(fold(text).split()) if w not in ("al", "el", "the")]
    if len(words) > 1 and len(words[-1]) > 4 and words[-1].endswith("s") and not words[-1].endswith("ss"):
        words[-1] = words[-1][:-1]
    return words


def words_match(a: list[str], b: list[str]) -> float:
    """The weakest part match of two names of as many words (0 when their lengths differ)."""
    if not a or len(a) != len(b):
        return 0.0
    return min(part_match(x, y) for x, y in zip(a, b, strict=True))


def _arabic_form(word: str) -> str:
    """A vowel form with ``aw`` before a consonant read as ``u`` (Nawfali / Nufali)."""
    return re.sub(r"aw(?=[^aiu]|$)", "u", vowel_form(word))


def _arabic_skeleton(word: str) -> str:
    """A skeleton with the consonants that transliterations swap (g, j, z) made one."""
    return skeleton(word).replace("g", "j").replace("z", "j")


@lru_cache(maxsize=CACHE_SIZE)
def part_match(a: str, b: str, arabic: bool = False) -> float:
    """How well two name parts match (0 to 1), tolerant of transliteration for longer words.

    ``arabic``: both names follow Arabic-name grammar, so the consonant swaps of transliteration
    count as variants too.
    """
    va, vb = vowel_form(a), vowel_form(b)
    if not va or not vb:
        return 0.0
    if va == vb:
        return 1.0
    fa, fb = fold(a), fold(b)
    if fa in COMPASS or fb in COMPASS:
        return 0.0  # northeastern is not northwestern
    if min(len(va), len(vb)) < 5:
        return 0.0  # short parts (Ali / Ala, Bakr / Bakir) must agree exactly
    arabic_score = Indel.normalized_similarity(_arabic_form(a), _arabic_form(b)) if arabic else 0.0
    if skeleton(a) == skeleton(b):
        return max(Indel.normalized_similarity(va, vb), arabic_score)
    if arabic and _arabic_skeleton(a) == _arabic_skeleton(b):
        return arabic_score
    if min(len(fa), len(fb)) >= TYPO_LENGTH and Levenshtein.distance(fa, fb) == 1:
        return 0.9  # one typing slip in a long word
    return 0.0


#: The most a single-word name ("Harzani", "Al-Marzini") can score against a fuller name.
SINGLE_WORD_CAP = 0.75


@dataclass(frozen=True)
class PersonName:
    """A personal name split into its parts (all folded)."""

    text: str
    titles: tuple[str, ...] = ()
    kunya: str | None = None
    given: tuple[str, ...] = ()
    nasab: tuple[str, ...] = ()
    nisbas: tuple[str, ...] = ()
    nicknames: tuple[str, ...] = ()
    #: A mother's kunya ("Umm X"), not a father's ("Abu X"): never the same person.
    maternal: bool = False

    @property
    def parts(self) -> tuple[str, ...]:
        """Identifying parts: given names, nasab, nisbas (the kunya is compared on its own)."""
        return self.given + self.nasab + self.nisbas

    @property
    def surname(self) -> str | None:
        if self.nisbas:
            return self.nisbas[-1]
        if self.nasab and not self.nisbas:
            return self.nasab[-1]  # "Hamza bin Tahir": bin Tahir
        if len(self.given) > 1:
            return self.given[-1]
        return None

    @property
    def arabic(self) -> bool:
        """Whether the name follows Arabic-name grammar: a kunya, a nasab or a nisba."""
        return bool(self.kunya or self.nasab or self.nisbas)

    @property
    def is_single(self) -> bool:
        """One identifying word and no kunya: "Harzani", "Omar", "Al-Marzini"."""
        return self.kunya is None and len(self.parts) <= 1


def split_nicknames(text: str) -> tuple[str, tuple[str, ...]]:
    """``Daniel “Danny” Marsh`` -> (``Daniel Marsh``, (``Danny``,))."""
    nicknames = tuple(m.strip() for m in re.findall(r"[\"\u201c\u00ab]([^\"\u201d\u00bb]+)[\"\u201d\u00bb]", text))
    cleaned = re.sub(r"\s*[\"\u201c\u00ab][^\"\u201d\u00bb]+[\"\u201d\u00bb]\s*", " ", text)
    return " ".join(cleaned.split()), nicknames


def strip_titles(text: str) -> tuple[str, tuple[str, ...]]:
    """Leading titles and ranks removed: ``Colonel Ann Tull`` -> (``Ann Tull``, (``colonel``,))."""
    words = text.split()
    titles: list[str] = []
    while len(words) > 1 and (title := fold(words[0])).replace(" ", "-") in TITLES:  # "Vice-Admiral" folds to two words
        titles.append(title)
        words = words[1:]
    return " ".join(words), tuple(titles)


@lru_cache(maxsize=CACHE_SIZE)
def parse_person(text: str) -> PersonName:
    """Parse a personal name: titles, kunya (Abu X), given names, nasab (bin X), nisbas (al-X)."""
    cleaned, nicknames = split_nicknames(strip_possessive(text.strip()))
    cleaned, titles = strip_titles(cleaned)
    words = compound_words(fold(cleaned.replace("-", " ")).split())
    kunya = None
    given: list[str] = []
    nasab: list[str] = []
    nisbas: list[str] = []
    i = 0
    if len(words) >= 2 and words[0] in KUNYA_HEADS:
        j = 1
        if words[j] in ARTICLES and j + 1 < len(words):
            j += 1
        kunya = words[j]
        i = j + 1
    while i < len(words):
        word = words[i]
        if word in ARTICLES and i + 1 < len(words):
            nisbas.append(words[i + 1])
            i += 2
        elif word in NASAB_HEADS and i + 1 < len(words):
            nasab.append(words[i + 1])
            i += 2
        elif nisbas and word not in ARTICLES:
            nisbas.append(word)  # "al-Harzani Marzini": later parts are nisbas too
            i += 1
        else:
            given.append(word)
            i += 1
    maternal = kunya is not None and words[0] in MATERNAL_KUNYA_HEADS
    return PersonName(cleaned, titles, kunya, tuple(given), tuple(nasab), tuple(nisbas), nicknames, maternal)


#: Two kunyas this alike (:func:`part_match`) are one kunya spelt two ways ("Abu Tarek", "Abu Tarik").
KUNYA_MATCH = 0.85


def kunyas_alike(a: str, b: str) -> bool:
    """Whether two kunyas are one, however spelt ("Tarek", "Tarik")."""
    return part_match(a, b) >= KUNYA_MATCH


def same_kunya(a: PersonName, b: PersonName) -> bool:
    """Whether two names have one kunya, however spelt ("Abu Tarek", "Abu Tarik"; a mother's is another)."""
    return a.kunya is not None and b.kunya is not None and a.maternal == b.maternal \
        and kunyas_alike(a.kunya, b.kunya)


def person_match(a: PersonName, b: PersonName) -> float:
    """How likely two names denote one person, from their parts alone (0 to 1).

    Kunyas must agree when both have one. Every identifying part of the shorter name must match
    a distinct part of the longer one (a quoted nickname may stand for a given name). A single
    word matches only the other's surname (nisba or last name).
    """
    if a.kunya and b.kunya and not same_kunya(a, b):
        return 0.0  # "Abu Tarek" is not "Abu Tamer", nor "Umm Tarek"
    if len(a.parts) == len(b.parts):
        score = max(_directed_match(a, b), _directed_match(b, a))
    else:
        score = _directed_match(a, b) if len(a.parts) < len(b.parts) else _directed_match(b, a)
    # A lone surname is ambiguous beyond its own article, whichever side it is on.
    return min(score, SINGLE_WORD_CAP) if (a.is_single or b.is_single) and a != b else score


def _directed_match(short: PersonName, long_: PersonName) -> float:
    """``person_match`` with the parts of ``short`` sought among those of ``long_``."""
    a, b = short, long_
    if not short.parts:
        # A bare kunya ("Abu Tarek") matches a name with the same kunya.
        if short.kunya and long_.kunya:
            return part_match(short.kunya, long_.kunya) * (1.0 if not long_.parts else 0.8)
        return 0.0
    if short.is_single and not long_.kunya and not short.kunya and len(long_.parts) <= 1:
        return 1.0 if part_match(short.parts[0], long_.parts[0]) >= 0.9 else 0.0
    arabic = short.arabic and long_.arabic
    candidates = list(long_.parts)
    nick_slots = {len(candidates) + i: n for i, n in enumerate(fold(n) for n in long_.nicknames)}
    used: set[int] = set()
    total = 0.0
    for part in short.parts:
        best, best_j = 0.0, -1
        for j, other in [*enumerate(candidates), *nick_slots.items()]:
            if j in used:
                continue
            score = part_match(part, other, arabic)
            if score > best:
                best, best_j = score, j
        if best < 0.8:
            return 0.0
        used.add(best_j)
        total += best
    if short.is_single and (long_.surname is None or part_match(short.parts[0], long_.surname, arabic) < 0.8):
        return 0.0  # "Omar" is not "Omar Saleh al-Harzani"'s surname; "Harzani" is Abu Tarek al-Harzani's
    coverage = len([j for j in used if j < len(candidates)]) / max(1, len(candidates))
    kunya_bonus = 0.1 if a.kunya and b.kunya else 0.0
    quality = total / len(short.parts)
    score = min(1.0, quality * (0.6 + 0.4 * coverage) + kunya_bonus)
    # A lone surname is ambiguous beyond its own article: it needs context to merge.
    return min(score, SINGLE_WORD_CAP) if short.is_single else score
