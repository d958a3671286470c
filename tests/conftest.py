"""Shared test settings: single-threaded torch keeps timings stable on 2-core CI machines."""

import torch

torch.set_num_threads(1)
