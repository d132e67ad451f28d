"""Words as the search reads them: lower case, no accents, no small words. Plain text functions,
used by the search (core/search.py) and its vocabulary (core/synonyms.py)."""

import re
import unicodedata

# Small words that carry no meaning in a search (the French text search configuration drops
# them too). « santé » and the like stay: they are what residents look for.
STOPWORDS = frozenset(
    re.findall(
        r"\w+",
        "a au aux avec ce ces chez d dans de des du en est et il ils j je l la le les leur lui ma mais me mes moi "
        "mon n ne nos notre nous on ou par pas pour qu que qui s sa se ses son sur ta te tes toi ton tu un une "
        "vos votre vous y",
    )
)


def normalize(text):
    """Lower case, accents removed, punctuation turned into spaces."""
    return " ".join(words_of(strip_accents(str(text or "").lower())))


def strip_accents(text):
    text = unicodedata.normalize("NFKD", text)
    return "".join(char for char in text if not unicodedata.combining(char))


def words_of(text):
    return re.findall(r"[^\W_]+", text)


def vocabulary_words(texts):
    """{normalised word: the word as written, in lower case} of some texts (no digits, no small words)."""
    words = {}
    for text in texts:
        for token in words_of(str(text).lower()):
            word = strip_accents(token)
            if 3 <= len(word) <= 60 and not word.isdigit() and word not in STOPWORDS:
                words.setdefault(word, token)
    return words
