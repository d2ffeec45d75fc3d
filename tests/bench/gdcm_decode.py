#!/usr/bin/env python3
"""The peer of `cxr bench --suite decode`: for each DICOM file given, the time pydicom with GDCM takes to read it
and decode its pixels (`dcmread` + `pixel_array` through pydicom's GDCM handler; uncompressed and RLE files through
pydicom's own handlers, which pydicom uses for them whatever is installed), the time numpy takes to equalize
the decoded image at full bit depth (the same mapping as ours: one bin per stored level, (cdf - cdf_min) /
(N - cdf_min), float32 out), and the time OpenCV's 8-bit `equalizeHist` takes on the image scaled to 8 bits. Each is
the median of --runs after --warmup, in wall-clock ms and (…CpuMs) in CPU ms of the process, which a busy machine
sways far less. Prints one JSON object on stdout. Used only by the benchmark, never by the
tests: needs Debian's python3-pydicom, python3-gdcm and python3-numpy (python3-opencv is optional)."""
import argparse
import json
import os
import statistics
import sys
import time

import numpy as np
import pydicom
from pydicom.pixel_data_handlers import gdcm_handler

try:
    import cv2
except ImportError:  # the 8-bit figure is a side note: without OpenCV the others still run
    cv2 = None


def timed(step, runs: int, warmup: int):
    """Median wall-clock ms of `step`, the median CPU ms of the process over the same runs, and the last result."""
    for _ in range(warmup):
        step()
    times = []
    cpu_times = []
    result = None
    for _ in range(runs):
        began, cpu_began = time.perf_counter(), time.process_time()
        result = step()
        times.append((time.perf_counter() - began) * 1000)
        cpu_times.append((time.process_time() - cpu_began) * 1000)
    return statistics.median(times), statistics.median(cpu_times), result


def equalize_full_depth(pixels: np.ndarray) -> np.ndarray:
    """Global histogram equalization with one bin per integer level, as src-shared/imaging/preprocess does."""
    lowest = pixels.min()
    offsets = (pixels.astype(np.int64) - lowest).ravel()
    histogram = np.bincount(offsets)
    cdf = np.cumsum(histogram)
    darkest = histogram[0]
    denominator = cdf[-1] - darkest
    if denominator == 0:
        return np.zeros(pixels.shape, np.float32)
    lookup = ((cdf - darkest) / denominator).astype(np.float32)
    return lookup[offsets].reshape(pixels.shape)


def to_8bit(pixels: np.ndarray) -> np.ndarray:
    lowest, highest = float(pixels.min()), float(pixels.max())
    scale = 255.0 / (highest - lowest) if highest > lowest else 0.0
    return ((pixels.astype(np.float32) - lowest) * scale).astype(np.uint8)


def measure(path: str, runs: int, warmup: int) -> dict:
    if not gdcm_handler.is_available():
        raise RuntimeError("pydicom's GDCM handler is unavailable")

    # pydicom hands GDCM only the compressed syntaxes it declares for it; uncompressed and RLE data go through its
    # own numpy and RLE handlers, as `pixel_array` does by default.
    syntax = pydicom.dcmread(path, stop_before_pixels=True).file_meta.TransferSyntaxUID
    handler = "gdcm" if gdcm_handler.supports_transfer_syntax(syntax) else None

    def decode():
        dataset = pydicom.dcmread(path)
        if handler:
            dataset.convert_pixel_data(handler_name=handler)
        return dataset.pixel_array

    decode_ms, decode_cpu_ms, pixels = timed(decode, runs, warmup)
    figures = {"file": os.path.basename(path), "decodeMs": decode_ms, "decodeCpuMs": decode_cpu_ms, "handler": handler or "pydicom default",
               "width": int(pixels.shape[-1]), "height": int(pixels.shape[-2] if pixels.ndim >= 2 else 1)}
    if pixels.ndim == 2:  # equalization figures only for single-frame grey images, as ours
        figures["equalizeMs"], figures["equalizeCpuMs"], _ = timed(lambda: equalize_full_depth(pixels), runs, warmup)
        if cv2 is not None:
            eight = to_8bit(pixels)
            figures["opencvEqualize8bitMs"], _, _ = timed(lambda: cv2.equalizeHist(eight), runs, warmup)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("files", nargs="+")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=1)
    args = parser.parse_args()
    results = []
    for path in args.files:
        try:
            results.append(measure(path, args.runs, args.warmup))
        except Exception as error:  # one file GDCM cannot read must not hide the others
            results.append({"file": os.path.basename(path), "error": f"{type(error).__name__}: {error}"})
    print(json.dumps({
        "pydicom": pydicom.__version__,
        "gdcm": __import__("gdcm").Version.GetVersion(),
        "numpy": np.__version__,
        "opencv": cv2.__version__ if cv2 is not None else None,
        "files": results,
    }))


if __name__ == "__main__":
    sys.exit(main())
