import pandas as pd

from ckpt import cached


@pd.api.extensions.register_dataframe_accessor("spread")
class Spread:
    def __init__(self, frame):
        self._frame = frame

    def width(self, column):
        values = self._frame[column]
        return float(values.max() - values.min()) * 2


@cached
def target(values):
    print("RUN")
    return pd.DataFrame({"v": values}).spread.width("v")


if __name__ == "__main__":
    print("OUT", repr(target([1.0, 4.0, 2.5])))
