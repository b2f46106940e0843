from ckpt import cached


class Config:
    alpha = 1
    beta = 2

    def gamma(self):
        return 3


@cached
def target():
    print("RUN")
    public = sorted(k for k in Config.__dict__ if not k.startswith("_"))
    return public, [n for n in dir(Config) if not n.startswith("_")], Config.__dict__["beta"] * 10


if __name__ == "__main__":
    print("OUT", repr(target()))
