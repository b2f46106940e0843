import asyncio

from ckpt import cached


async def fetch(v, delay=0):
    await asyncio.sleep(delay)
    return v * 2


async def gather(values):
    results = await asyncio.gather(*(fetch(v) for v in values))
    return sum(results) + 1


@cached
def target(values):
    print("RUN")
    return asyncio.run(gather(values))


if __name__ == "__main__":
    print("OUT", repr(target((1, 2, 3))))
