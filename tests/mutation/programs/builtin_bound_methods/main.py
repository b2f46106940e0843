from ckpt import cached

JOIN = "-".join
UPPER = str.upper
TABLE = {"a": 1, "b": 2}
GET = TABLE.get
PARTS = ["x", "y"]
APPEND_TARGET = PARTS.__len__


@cached
def target(words):
    print("RUN")
    return JOIN(map(UPPER, words)), GET("b", 0), APPEND_TARGET()


if __name__ == "__main__":
    print("OUT", repr(target(("ab", "cd"))))
