"""A module logger, a progress bar, timing and warnings used only for reporting."""
import logging
import time
import warnings

from tqdm import tqdm

from ckpt import cached

logger = logging.getLogger(__name__)
logging.basicConfig(level=logging.WARNING)
STARTED = time.perf_counter()


@cached
def slow_sum(n):
    print("RUN")
    start = time.time()
    total = 0
    for i in tqdm(range(n), desc="summing", disable=True):
        total += i * i
    logger.info("summed %d values in %.3fs", n, time.time() - start)
    if n > 10:
        warnings.warn("large n", UserWarning, stacklevel=2)
    return total


if __name__ == "__main__":
    print("OUT", slow_sum(5))
    print("OUT", slow_sum(50))
