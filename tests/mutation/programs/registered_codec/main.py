import codecs

from ckpt import cached


def encode(text, errors="strict"):
    return bytes((ord(c) + 1) % 128 for c in text), len(text)


def decode(data, errors="strict"):
    return "".join(chr((b - 1) % 128) for b in data), len(data)


def search(name):
    if name == "shift":
        return codecs.CodecInfo(encode, decode, name="shift")
    return None


codecs.register(search)


@cached
def target(text):
    print("RUN")
    return list(text.encode("shift"))


if __name__ == "__main__":
    print("OUT", repr(target("abc")))
