"""Closures made by factories, generator helpers, partials and a set of strings in a global."""
import functools

from ckpt import cached


def make_scorer(weight, offset=0.0):
    def score(x):
        return weight * x + offset
    return score


def windows(values, size):
    for i in range(len(values) - size + 1):
        yield values[i:i + size]


def power(x, p):
    return x ** p


SCORE = make_scorer(2.5, offset=1.0)
SQUARE = functools.partial(power, p=2)
STOPWORDS = {"the", "a", "of", "and", "to", "in"}
WEIGHTS = {w: len(w) for w in sorted(STOPWORDS)}


@cached
def smooth(values, size):
    print("RUN")
    return [SCORE(sum(w) / size) for w in windows(values, size)]


@cached
def content_words(text):
    print("RUN")
    words = [w for w in text.split() if w not in STOPWORDS]
    return [SQUARE(len(w)) for w in words], sum(WEIGHTS.values())


if __name__ == "__main__":
    print("OUT", smooth([1, 2, 3, 4, 5], 2))
    print("OUT", content_words("the cat sat in the garden of the house"))
