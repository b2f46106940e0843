import pandas as pd

from ckpt import cached

pd.set_option("display.precision", 2)


@cached
def target(values):
    print("RUN")
    return pd.DataFrame({"v": values}).to_string()


if __name__ == "__main__":
    print("OUT", repr(target([1 / 3, 2 / 3])))
