#!/usr/bin/env python3
"""The PyTorch peer of `cxr bench --suite engine`: the same ResNet-18 (1-channel stem, 1-unit head), batch, size,
threads and optimiser, timed the same way (median of runs after warm-up). Prints one JSON object on stdout.
Used only by the benchmark, never by the tests: needs Debian's python3-torch and python3-torchvision."""
import argparse
import json
import statistics
import time

import torch
import torchvision


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--size", type=int, default=224)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    model = torchvision.models.resnet18(num_classes=1)
    model.conv1 = torch.nn.Conv2d(1, 64, kernel_size=7, stride=2, padding=3, bias=False)
    x = torch.rand(args.batch, 1, args.size, args.size)
    y = torch.tensor([[float(i % 2)] for i in range(args.batch)])
    optimiser = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    loss_fn = torch.nn.BCEWithLogitsLoss()

    def forward() -> None:
        model.eval()
        with torch.no_grad():
            torch.sigmoid(model(x))

    def train_step() -> None:
        model.train()
        optimiser.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        optimiser.step()

    def timed(step) -> float:
        for _ in range(args.warmup):
            step()
        times = []
        for _ in range(args.runs):
            began = time.perf_counter()
            step()
            times.append((time.perf_counter() - began) * 1000)
        return statistics.median(times) / args.batch

    print(json.dumps({
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "forwardMsPerImage": timed(forward),
        "trainStepMsPerImage": timed(train_step),
    }))


if __name__ == "__main__":
    main()
