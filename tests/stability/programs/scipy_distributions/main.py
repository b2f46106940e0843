"""scipy.stats: a frozen distribution at module level (it holds numpy's global generator), and
draws with an explicit random_state."""
import numpy as np
from scipy import stats

from ckpt import cached

PRIOR = stats.norm(0, 2)
LIKELIHOOD = stats.gamma(a=2.0, scale=1.5)


@cached
def log_posterior(x):
    print("RUN")
    return round(float(PRIOR.logpdf(x) + LIKELIHOOD.logpdf(abs(x) + 0.1)), 10)


@cached
def simulate(n, seed):
    print("RUN")
    draws = stats.norm(1, 3).rvs(size=n, random_state=seed)
    more = PRIOR.rvs(size=n, random_state=np.random.default_rng(seed))
    return round(float(draws.sum() + more.sum()), 10)


if __name__ == "__main__":
    print("OUT", log_posterior(0.5))
    print("OUT", simulate(100, 4))
