"""A batch worker: downloads each granule from the blob store and builds a catalogue item from it.

It carries the bug behind many real hangs: the download has no read timeout. When the store
accepts the connection and then never answers, the worker waits forever: no error, no log
line, no CPU. Its own logs only say that it started granule 4.
"""
import argparse
import hashlib
import json
import logging
import tempfile
import threading
import urllib.request
from pathlib import Path

log = logging.getLogger("worker")


def granule_urls(store, count):
    return [f"{store}/granules/G{n:04d}.nc" for n in range(1, count + 1)]


def download_file(url, folder):
    target = folder / url.rsplit("/", 1)[-1]
    with urllib.request.urlopen(url) as response:  # no timeout
        target.write_bytes(response.read())
    return target


def create_item(path):
    data = path.read_bytes()
    return {"id": path.stem, "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}


def report_progress(progress, stop):
    """Helper thread: a heartbeat in the log, so operators see the worker is "alive"."""
    while not stop.wait(10):
        log.info("heartbeat: %d of %d granules done", progress["done"], progress["total"])


def process_batch(urls, catalogue):
    progress = {"done": 0, "total": len(urls)}
    stop = threading.Event()
    reporter = threading.Thread(target=report_progress, args=(progress, stop), name="progress-reporter", daemon=True)
    reporter.start()
    with tempfile.TemporaryDirectory(prefix="granules-") as scratch:
        for url in urls:
            log.info("downloading %s", url)
            local_file = download_file(url, Path(scratch))
            item = create_item(local_file)
            catalogue.write(json.dumps(item) + "\n")
            progress["done"] += 1
    stop.set()
    return progress["done"]


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--store", required=True, help="base URL of the blob store")
    parser.add_argument("--count", type=int, default=8)
    parser.add_argument("--catalogue", default="catalogue.jsonl")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(threadName)s %(message)s")
    with open(args.catalogue, "w") as catalogue:
        done = process_batch(granule_urls(args.store, args.count), catalogue)
    log.info("batch complete: %d items", done)


if __name__ == "__main__":
    main()
