"""Run by bench/image_sizes.py inside pytest: build each language's image, write the figures."""
from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from kernel_koans.infra import toolchain_images

LANGS = ("go", "java", "python", "node")


@pytest.mark.timeout(1200)
def test_image_sizes(language_image, docker_client, busybox_image, python_image, pristine_rootfs):
    figures = {}
    for lang in LANGS:
        start = time.perf_counter()
        toolchain_images.base_args(docker_client, lang, pristine_rootfs, busybox_image, python_image)
        bases = time.perf_counter() - start
        start = time.perf_counter()
        tag = language_image(lang)
        built = time.perf_counter() - start
        figures[lang] = {"bytes": int(docker_client.images.get(tag).attrs["Size"]),
                         "bases_s": round(bases, 1), "build_s": round(built, 1)}
    Path(os.environ["KK_IMAGE_SIZES_OUT"]).write_text(json.dumps(figures))
