"""A small torch training loop: the program seeds torch's generator at the top (weights, data
and dropout draw from it), a second function seeds it itself; the draws after each call are
those of an uncached run. Runs where torch is installed."""
import torch
from torch import nn

from ckpt import cached

torch.manual_seed(0)


def make_model(width):
    return nn.Sequential(nn.Linear(4, width), nn.Dropout(0.1), nn.ReLU(), nn.Linear(width, 1))


@cached
def train(n_steps, width=8):
    print("RUN")
    model = make_model(width)
    opt = torch.optim.SGD(model.parameters(), lr=0.05)
    x = torch.randn(64, 4)
    y = x.sum(dim=1, keepdim=True)
    for _ in range(n_steps):
        opt.zero_grad()
        loss = ((model(x) - y) ** 2).mean()
        loss.backward()
        opt.step()
    return round(loss.item(), 6)


@cached
def evaluate(seed):
    print("RUN")
    torch.manual_seed(seed)
    return round(make_model(4)(torch.ones(2, 4)).sum().item(), 6)


if __name__ == "__main__":
    print("OUT", train(10))
    print("OUT", round(torch.rand(1).item(), 6))
    print("OUT", evaluate(1))
    print("OUT", train(10))
