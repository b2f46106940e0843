import decimal
from decimal import Decimal

from ckpt import cached

decimal.getcontext().prec = 6
decimal.getcontext().rounding = decimal.ROUND_DOWN


@cached
def target(a, b):
    print("RUN")
    return str(a / b)


if __name__ == "__main__":
    print("OUT", repr(target(Decimal(2), Decimal(3))))
