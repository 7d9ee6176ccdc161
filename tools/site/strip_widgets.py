#!/usr/bin/env python
"""Remove saved ipywidgets state from notebooks (progress bars of executed training cells), keeping the text output.

Executed notebooks keep the state of every tqdm widget in their metadata (tens of kB) and a widget-view output
that a static site cannot show. Run after executing notebooks in place, before nbdev_clean:

    python tools/site/strip_widgets.py nbs/20_learner.ipynb nbs/22c_commands.ipynb
"""
import json, sys
from pathlib import Path

WIDGET = "application/vnd.jupyter.widget-view+json"

def strip(path: Path) -> bool:
    nb = json.loads(path.read_text())
    changed = nb.get("metadata", {}).pop("widgets", None) is not None
    for cell in nb["cells"]:
        outs = []
        for o in cell.get("outputs", []):
            data = o.get("data", {})
            if WIDGET in data:
                changed = True
                data.pop(WIDGET)
                if not data or set(data) == {"text/plain"}: continue  # a progress bar's fallback text says nothing
            outs.append(o)
        if "outputs" in cell: cell["outputs"] = outs
    if changed: path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n")
    return changed

if __name__ == "__main__":
    for p in sys.argv[1:]: print(f"{p}: {'stripped' if strip(Path(p)) else 'no widgets'}")
