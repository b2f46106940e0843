from . import constants
from .util import twice


def run(v):
    return twice(v) + constants.OFFSET
