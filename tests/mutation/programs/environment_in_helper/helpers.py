import os

environ = os.environ


def scale(v):
    return v * int(os.environ["SCALE"])


def label():
    return environ.get("LABEL", "none")
