#!/usr/bin/env python
"""Check that the API reference documents every public function and class with its parameters.

    python tools/check_api_docs.py [--exclude-module experiments] [--exclude-module bench] ...

nbdev's `show_doc` renders a parameter table from *docments* (a comment after each parameter, read by
`fastcore.docments`). This script imports every symbol listed in `<lib>/_modidx.py` (`d['syms']`), keeps the
public callables (no part of the dotted name starts with `_`; a class stands for its `__init__`) and reports,
one line per problem:
  - a public callable without a docstring of its own;
  - a parameter (other than self/cls, including *args and **kwargs) without a docment.
The last line is `N public callables, M parameters, P undocumented`; the exit status is 1 when P > 0
(or when a module cannot be imported), 0 otherwise.
"""
import argparse, ast, dataclasses, importlib, inspect, sys, time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def lib_name():
    "The package name (`lib_path` of settings.ini, default fmn_nb)"
    import configparser
    cfg = configparser.ConfigParser()
    cfg.read(ROOT/'settings.ini')
    return cfg.defaults().get('lib_path', 'fmn_nb')


def load_syms(lib):
    "The `d['syms']` dict of `<lib>/_modidx.py`, read without importing the package"
    path = ROOT/lib/'_modidx.py'
    if not path.exists(): sys.exit(f"check_api_docs: {path} not found (run nbdev_export first)")
    tree = ast.parse(path.read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, 'id', None) == 'd' for t in node.targets):
            return ast.literal_eval(node.value)['syms']
    sys.exit(f"check_api_docs: no `d = {{...}}` in {path}")


def resolve(mod, qualname):
    "Follow `qualname` from module `mod`; properties give their getter, static/class methods their function"
    obj, owner = mod, None
    for part in qualname.split('.'):
        owner = obj
        raw = inspect.getattr_static(obj, part) if inspect.isclass(obj) else getattr(obj, part)
        obj = raw
    if isinstance(obj, property): obj = obj.fget
    elif isinstance(obj, (staticmethod, classmethod)): obj = obj.__func__
    return obj, owner


def own_init(cls, lib):
    "The `__init__` that users call for `cls`, or None if it comes from outside `lib` (nothing of ours to document)"
    for k in cls.__mro__:
        if '__init__' in k.__dict__:
            init = k.__dict__['__init__']
            return init if getattr(init, '__module__', '').split('.')[0] == lib else None
    return None


def has_own_doc(obj):
    "Does `obj` carry a docstring of its own (not inherited, not the one dataclasses make up)?"
    doc = obj.__dict__.get('__doc__') if inspect.isclass(obj) else getattr(obj, '__doc__', None)
    if not doc or not doc.strip(): return False
    if inspect.isclass(obj) and dataclasses.is_dataclass(obj) and doc.startswith(obj.__name__ + '('): return False
    return True


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--exclude-module', action='append', default=[], metavar='X',
                    help="skip module X (`experiments` or `fmn_nb.experiments`); may be repeated")
    ap.add_argument('--quiet', action='store_true', help="print only the summary line")
    args = ap.parse_args(argv)
    t0 = time.time()
    sys.path.insert(0, str(ROOT))
    from fastcore.docments import docments

    lib = lib_name()
    syms = load_syms(lib)
    excl = {m if m.startswith(lib + '.') else f'{lib}.{m}' for m in args.exclude_module}
    unknown = excl - set(syms)
    if unknown: print(f"warning: --exclude-module {', '.join(sorted(unknown))}: no such module in _modidx.py", file=sys.stderr)

    n_call = n_par = n_bad = 0
    problems, import_failed = [], False
    for modname, entries in syms.items():
        if modname in excl: continue
        try: mod = importlib.import_module(modname)
        except Exception as e:
            print(f"{modname}: cannot import: {type(e).__name__}: {e}")
            import_failed = True
            continue
        for full in entries:
            qual = full[len(modname) + 1:]
            if any(p.startswith('_') for p in qual.split('.')): continue
            try: obj, owner = resolve(mod, qual)
            except AttributeError as e:
                problems.append(f"{full}: listed in _modidx.py but not found ({e}); re-run nbdev_export")
                n_bad += 1
                continue
            if not callable(obj): continue
            n_call += 1
            if not has_own_doc(obj):
                problems.append(f"{full}: no docstring")
                n_bad += 1
            target = obj
            if inspect.isclass(obj) and not dataclasses.is_dataclass(obj):
                target = own_init(obj, lib)
                if target is None: continue   # constructor inherited from torch & co: nothing of ours to document
            try:
                params = inspect.signature(target).parameters
                dm = docments(target, args_kwargs=True, returns=False)
            except (ValueError, TypeError) as e:
                problems.append(f"{full}: cannot read its signature ({e})")
                n_bad += 1
                continue
            missing = []
            for i, (nm, p) in enumerate(params.items()):
                if i == 0 and nm in ('self', 'cls'): continue
                n_par += 1
                doc = dm.get(nm)
                if not (isinstance(doc, str) and doc.strip()):
                    missing.append(('*' if p.kind == p.VAR_POSITIONAL else '**' if p.kind == p.VAR_KEYWORD else '') + nm)
            if missing:
                problems.append(f"{full}: parameters without a docment: {', '.join(missing)}")
                n_bad += len(missing)
    if not args.quiet:
        for p in problems: print(p)
    if excl: print(f"excluded: {', '.join(sorted(excl))}")
    print(f"checked in {time.time() - t0:.1f} s", file=sys.stderr)
    print(f"{n_call} public callables, {n_par} parameters, {n_bad} undocumented")
    return 1 if (n_bad or import_failed) else 0


if __name__ == '__main__': sys.exit(main())
