from ckpt import cached

size = 7


@cached
def target(x):
    print("RUN")
    size = x + 1

    class Local:
        size = 100
        doubled = size * 2

        def get(self):
            return size

    return Local.doubled, Local().get()


if __name__ == "__main__":
    print("OUT", repr(target(3)))
