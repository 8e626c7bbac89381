"""A service image from one exercise module: the module's own file is the service.

The learner's module (or its twin, or a swapped wrong module) is copied into an image
FROM the local Python base, with the pure-Python packages it imports copied from this
machine's own site-packages: no registry and no pip inside the build.
"""
from __future__ import annotations

import importlib.util
import io
import tarfile
from pathlib import Path
from typing import Any


def package_dir(name: str) -> Path:
    """Where this machine's Python keeps the package `name` (a directory)."""
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(f"{name} is not installed here: pip install it into the venv")
    return Path(next(iter(spec.submodule_search_locations)))


def build(client: Any, labels: dict[str, str], base: str, module_file: str | Path, tag: str,
          packages: tuple[str, ...] = ()) -> str:
    """Build `tag`: base + the module at /srv/<its name> (run as `python3 /srv/<name> ARGS`),
    the packages under /srv/lib on PYTHONPATH. Returns the tag."""
    module = Path(module_file)
    script = f"/srv/{module.stem}.py"
    dockerfile = (f"FROM {base}\nCOPY lib /srv/lib\nCOPY {module.stem}.py {script}\n"
                  "ENV PYTHONPATH=/srv/lib PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1\n"
                  f'ENTRYPOINT ["python3", "{script}"]\n')
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for name, data in (("Dockerfile", dockerfile.encode()), (f"{module.stem}.py", module.read_bytes())):
            info = tarfile.TarInfo(name)
            info.size, info.mode = len(data), 0o644
            tar.addfile(info, io.BytesIO(data))
        lib = tarfile.TarInfo("lib")
        lib.type, lib.mode = tarfile.DIRTYPE, 0o755
        tar.addfile(lib)
        for package in packages:
            where = package_dir(package)
            tar.add(where, arcname=f"lib/{package}",
                    filter=lambda t: None if "__pycache__" in t.name else t)
    client.images.build(fileobj=io.BytesIO(buf.getvalue()), custom_context=True, tag=tag,
                        labels=labels, pull=False, rm=True, forcerm=True)
    return tag


def http(url: str, data: bytes | None = None, method: str = "GET",
         headers: dict[str, str] | None = None, timeout: float = 3) -> tuple[int, bytes]:
    """(status, body) of one request to a container on a kk- network; status 0: no answer."""
    import urllib.error
    import urllib.request

    request = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as err:
        return err.code, err.read()
    except OSError:
        return 0, b""


def wait_answering(box: Any, url: str, seconds: float = 15) -> None:
    """Until `url` answers 200; an AssertionError with the container's output if it exited."""
    from kernel_koans import waiting

    def state() -> str:
        if http(url)[0] == 200:
            return "answered"
        box.reload()
        return str(box.status)

    seen = waiting.settle(state, lambda now: now in ("answered", "exited"), seconds, 0.2)
    if seen != "answered":
        logs = box.logs().decode(errors="replace")[-800:]
        raise AssertionError(f"the service never answered {url} (container {seen}); "
                             f"its output:\n{logs}")


def network(client: Any, labels: dict[str, str], hint: str) -> str:
    """A labelled kk- bridge network (its Linux bridge named the same); its name."""
    from kernel_koans import names

    name = names.unique(hint)
    client.networks.create(name, driver="bridge", labels=labels,
                           options={"com.docker.network.bridge.name": name})
    return name
