"""KeptTexts: a text is written once per key, the objects it names are kept alive with it, and
the store never grows past its limit."""

import gc
import weakref

from bridgework.core.kept import KeptTexts


class _Label:
    pass


def test_written_once_kept_alive_and_bounded():
    kept: KeptTexts[str] = KeptTexts(limit=2)
    writes = []

    def write(text):
        writes.append(text)
        return text

    label = _Label()
    alive = weakref.ref(label)
    assert kept.get((id(label), "en"), label, lambda: write("a")) == "a"
    assert kept.get((id(label), "en"), label, lambda: write("again")) == "a"
    del label
    gc.collect()
    assert alive() is not None  # its identity cannot be taken while its text is kept
    kept.get("b", None, lambda: write("b"))
    kept.get("c", None, lambda: write("c"))  # full: emptied, then kept
    gc.collect()
    assert alive() is None
    assert writes == ["a", "b", "c"]
    assert kept.get("c", None, lambda: write("c again")) == "c"
