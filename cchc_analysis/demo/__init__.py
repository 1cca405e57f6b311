"""The demo district: deterministic, realistic raw exports for the 17 units of Thanh Miện (2022-2023)."""

from .generate import DemoResult, generate_demo_data

__all__ = ["DemoResult", "generate_demo_data"]
