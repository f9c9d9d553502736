"""Which line of the person's code defines a tapped layer, found with the standard library's `ast`
(no code is run). Lines are 1-based; columns are 1-based UTF-16 code units, as VS Code and the
TypeScript readers count them.

PyTorch, for a module at path `a.b.c` (the owner at `a.b`, attribute `c`):
  - owner of a class written by the person: the `self.c = …` assignment (or `self.add_module('c', …)`
    / `setattr(self, 'c', …)`) in that class or a base class of theirs — the value's position; when
    the value is a variable (`self.act = act`), the one constructor call of the module's class in
    that method, else in the call that built the owner (`Block(nn.ELU())`);
  - owner an nn.Sequential / ModuleList / ModuleDict: where the container is defined, then the
    element `c` inside it (`nn.Sequential(a, b, c)` positional or OrderedDict entries, a list
    literal, a comprehension's element); when the container is built from a variable (`*layers`,
    a helper's return value), the first constructor call of the module's class in the function
    that built it, else in that file; failing that, the container's own line;
  - a root nn.Sequential written at module level (`model = nn.Sequential(...)`): the call in the
    script whose elements' class names match the model's children, in order.
Keras, for layer `name`: a call to the layer's class with `name='name'`; unnamed layers are paired
in order with the unnamed calls of their class (`Dense(` … in file order) when the counts agree,
or all with the one call when there is exactly one (a loop); otherwise not mapped."""
from __future__ import annotations

import ast
import inspect
import os
import sys
from dataclasses import dataclass
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple


@dataclass(frozen=True)
class Site:
    file: str
    node: ast.AST


class ParsedFile:
    def __init__(self, path: str, text: str) -> None:
        self.path = path
        self.lines = text.splitlines()
        self.tree = ast.parse(text, filename=path)
        self.parents: Dict[int, ast.AST] = {}
        for parent in ast.walk(self.tree):
            for child in ast.iter_child_nodes(parent):
                self.parents[id(child)] = parent

    def source_ref(self, node: ast.AST) -> Dict[str, Any]:
        line = getattr(node, "lineno", 1)
        col = getattr(node, "col_offset", 0)
        text = self.lines[line - 1] if 0 < line <= len(self.lines) else ""
        prefix = text.encode("utf-8")[:col].decode("utf-8", errors="ignore")
        return {"file": self.path, "line": line, "column": len(prefix.encode("utf-16-le")) // 2 + 1}

    def enclosing_scope(self, node: ast.AST) -> ast.AST:
        current: Optional[ast.AST] = node
        while current is not None:
            current = self.parents.get(id(current))
            if isinstance(current, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                return current
        return self.tree


_cache: Dict[str, Tuple[float, Optional[ParsedFile]]] = {}


def parsed(path: Optional[str]) -> Optional[ParsedFile]:
    """The parsed file, cached by modification time; None for files that are absent or not Python."""
    if not path:
        return None
    path = os.path.abspath(path)
    try:
        mtime = os.stat(path).st_mtime
    except OSError:
        return None
    hit = _cache.get(path)
    if hit is not None and hit[0] == mtime:
        return hit[1]
    try:
        with open(path, "rb") as f:
            text = f.read().decode("utf-8")
        result: Optional[ParsedFile] = ParsedFile(path, text)
    except (OSError, UnicodeDecodeError, SyntaxError, ValueError):
        result = None
    _cache[path] = (mtime, result)
    return result


def callee_name(call: ast.Call) -> Optional[str]:
    """`nn.ReLU(...)` → 'ReLU'; `ReLU(...)` → 'ReLU'."""
    func = call.func
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    return None


def calls_to(scope: ast.AST, class_name: str) -> List[ast.Call]:
    found = [n for n in ast.walk(scope) if isinstance(n, ast.Call) and callee_name(n) == class_name]
    return sorted(found, key=lambda n: (n.lineno, n.col_offset))


# ---- PyTorch ----


def _is_library_file(path: str) -> bool:
    import torch

    return path.startswith(os.path.dirname(torch.__file__) + os.sep)


def _class_code_location(cls: type) -> Optional[Tuple[str, int]]:
    """A file and a line inside the class body: from a method's code object, which keeps the path
    the class was compiled from even after runpy has restored sys.modules['__main__']."""
    for value in vars(cls).values():
        func = getattr(value, "__func__", value)
        code = getattr(func, "__code__", None)
        if code is not None and code.co_filename and not code.co_filename.startswith("<"):
            return os.path.abspath(code.co_filename), code.co_firstlineno
    try:
        file = inspect.getsourcefile(cls)
        _, line = inspect.getsourcelines(cls)
    except (OSError, TypeError):
        return None
    return (os.path.abspath(file), line) if file else None


def _class_def(pf: ParsedFile, cls: type, line: int) -> Optional[ast.ClassDef]:
    best: Optional[ast.ClassDef] = None
    for node in ast.walk(pf.tree):
        if isinstance(node, ast.ClassDef) and node.name == cls.__name__:
            end = getattr(node, "end_lineno", None) or 10**9
            if node.lineno <= line <= end and (best is None or node.lineno > best.lineno):
                best = node
    return best


def _self_attribute_value(classdef: ast.ClassDef, attr: str) -> Optional[ast.AST]:
    for method in classdef.body:
        if not isinstance(method, (ast.FunctionDef, ast.AsyncFunctionDef)) or not method.args.args:
            continue
        me = method.args.args[0].arg
        for node in ast.walk(method):
            if isinstance(node, ast.Assign):
                for target in node.targets:
                    for t in ast.walk(target):
                        if (
                            isinstance(t, ast.Attribute)
                            and t.attr == attr
                            and isinstance(t.value, ast.Name)
                            and t.value.id == me
                        ):
                            return node.value if not isinstance(target, (ast.Tuple, ast.List)) else t
            elif isinstance(node, ast.AnnAssign) and node.value is not None:
                t = node.target
                if isinstance(t, ast.Attribute) and t.attr == attr and isinstance(t.value, ast.Name) and t.value.id == me:
                    return node.value
            elif isinstance(node, ast.Call) and len(node.args) >= 2:
                name = callee_name(node)
                first, second = node.args[0], node.args[1]
                if (
                    name in ("add_module", "register_module")
                    and isinstance(first, ast.Constant)
                    and first.value == attr
                ):
                    return second
                if (
                    name == "setattr"
                    and len(node.args) == 3
                    and isinstance(first, ast.Name)
                    and first.id == me
                    and isinstance(second, ast.Constant)
                    and second.value == attr
                ):
                    return node.args[2]
    return None


def _element(node: ast.AST, key: str) -> Optional[ast.AST]:
    """The element `key` of a container expression: nn.Sequential(a, b), OrderedDict entries,
    list/dict literals, comprehensions."""
    if isinstance(node, ast.Call):
        name = callee_name(node)
        if name in ("Sequential", "ModuleList", "ModuleDict", "OrderedDict", "dict", "list", "tuple"):
            if len(node.args) == 1 and not isinstance(node.args[0], ast.Starred) and name != "Sequential":
                return _element(node.args[0], key)
            if name == "Sequential":
                if len(node.args) == 1 and isinstance(node.args[0], ast.Call) and callee_name(node.args[0]) == "OrderedDict":
                    return _element(node.args[0], key)
                if len(node.args) == 1 and isinstance(node.args[0], ast.Dict):
                    return _element(node.args[0], key)
                if key.isdigit():
                    index = int(key)
                    head = node.args[: index + 1]
                    if index < len(node.args) and not any(isinstance(a, ast.Starred) for a in head):
                        return node.args[index]
            for kw in node.keywords:  # dict(conv=..., relu=...)
                if kw.arg == key:
                    return kw.value
        return None
    if isinstance(node, (ast.List, ast.Tuple)):
        if key.isdigit():
            index = int(key)
            # [('conv', X), ...] as OrderedDict's argument
            pairs = [e for e in node.elts if isinstance(e, ast.Tuple) and len(e.elts) == 2]
            if pairs and len(pairs) == len(node.elts):
                for p in pairs:
                    if isinstance(p.elts[0], ast.Constant) and p.elts[0].value == key:
                        return p.elts[1]
            head = node.elts[: index + 1]
            if index < len(node.elts) and not any(isinstance(e, ast.Starred) for e in head):
                return node.elts[index]
            return None
        for e in node.elts:
            if isinstance(e, ast.Tuple) and len(e.elts) == 2 and isinstance(e.elts[0], ast.Constant) and e.elts[0].value == key:
                return e.elts[1]
        return None
    if isinstance(node, ast.Dict):
        for k, v in zip(node.keys, node.values):
            if isinstance(k, ast.Constant) and str(k.value) == key:
                return v
        return None
    if isinstance(node, (ast.ListComp, ast.GeneratorExp)):
        return node.elt
    if isinstance(node, ast.DictComp):
        return node.value
    return None


class TorchSourceFinder:
    """Definition sites of a root module's submodules, memoised per path."""

    def __init__(self, modules: Dict[str, Any], extra_files: Sequence[str]) -> None:
        self.modules = modules
        self.extra_files = [f for f in extra_files if f]
        self.memo: Dict[str, Optional[Site]] = {}

    def source_ref(self, path: str) -> Optional[Dict[str, Any]]:
        try:
            site = self.site(path)
        except Exception:  # a mapping problem must never break the run
            return None
        if site is None:
            return None
        pf = parsed(site.file)
        return pf.source_ref(site.node) if pf else None

    def site(self, path: str) -> Optional[Site]:
        if path not in self.memo:
            self.memo[path] = self._find(path)
        return self.memo[path]

    def _find(self, path: str) -> Optional[Site]:
        if path == "":
            return self._root_site()
        parent_path, _, attr = path.rpartition(".")
        parent = self.modules.get(parent_path)
        child = self.modules.get(path)
        if parent is None or child is None:
            return None
        for cls in type(parent).__mro__:
            if cls.__module__.startswith("torch.") or cls is object:
                break
            location = _class_code_location(cls)
            if location is None or _is_library_file(location[0]):
                continue
            pf = parsed(location[0])
            classdef = _class_def(pf, cls, location[1]) if pf else None
            value = _self_attribute_value(classdef, attr) if classdef else None
            if value is not None and pf is not None:
                if not isinstance(value, ast.Call) or callee_name(value) != type(child).__name__:
                    # `self.c = c` (passed in) or a helper's result: the constructor call nearby.
                    calls = calls_to(pf.enclosing_scope(value), type(child).__name__)
                    if len(calls) == 1:
                        return Site(pf.path, calls[0])
                    # Passed to the owner's constructor: look inside the call that built the owner.
                    owner = self.site(parent_path) if parent_path != path else None
                    if owner is not None:
                        inner = calls_to(owner.node, type(child).__name__)
                        if len(inner) == 1:
                            return Site(owner.file, inner[0])
                return Site(pf.path, value)
        container = self.site(parent_path)
        if container is None:
            return None
        pf = parsed(container.file)
        if pf is None:
            return None
        element = _element(container.node, attr)
        if element is not None:
            return Site(pf.path, element)
        scope = pf.enclosing_scope(container.node)
        calls = calls_to(scope, type(child).__name__) or calls_to(pf.tree, type(child).__name__)
        return Site(pf.path, calls[0]) if calls else container

    def _root_site(self) -> Optional[Site]:
        root = self.modules.get("")
        if root is None:
            return None
        children = [type(m).__name__ for m in root.children()]
        for file in self.extra_files:
            pf = parsed(file)
            if pf is None:
                continue
            for call in calls_to(pf.tree, type(root).__name__):
                names = [callee_name(a) if isinstance(a, ast.Call) else None for a in call.args]
                if names == children or (
                    len(call.args) == 1 and isinstance(call.args[0], (ast.List, ast.Tuple)) and
                    [callee_name(a) if isinstance(a, ast.Call) else None for a in call.args[0].elts] == children
                ):
                    return Site(pf.path, call)
        return None


def call_site_ref(file: str, line: int, column0: Optional[int]) -> Dict[str, Any]:
    """SourceRef of a call seen on the stack (0-based UTF-8 column from the code's positions)."""
    pf = parsed(file)
    if pf is None or column0 is None:
        return {"file": os.path.abspath(file), "line": line, "column": 1 if column0 is None else column0 + 1}
    text = pf.lines[line - 1] if 0 < line <= len(pf.lines) else ""
    prefix = text.encode("utf-8")[:column0].decode("utf-8", errors="ignore")
    return {"file": pf.path, "line": line, "column": len(prefix.encode("utf-16-le")) // 2 + 1}


def frame_position(frame: Any) -> Tuple[int, Optional[int]]:
    """(line, 0-based column) of the instruction a frame is executing (columns from Python 3.11)."""
    line = frame.f_lineno
    if sys.version_info >= (3, 11):
        try:
            positions = list(frame.f_code.co_positions())
            start_line, _, col, _ = positions[frame.f_lasti // 2]
            if start_line is not None and col is not None:
                return start_line, col
        except (IndexError, ValueError):
            pass
    return line, None


# ---- Keras ----


def keras_layer_sources(
    layers: Iterable[Tuple[str, str, bool]], files: Sequence[str]
) -> Dict[str, Dict[str, Any]]:
    """`layers`: (name, class name, named explicitly?) in model order → SourceRef per mapped name."""
    layer_list = list(layers)
    classes = {cls for _, cls, _ in layer_list}
    named: Dict[str, Tuple[ParsedFile, ast.Call]] = {}
    unnamed: Dict[str, List[Tuple[ParsedFile, ast.Call]]] = {}
    seen: set = set()
    for file in files:
        pf = parsed(file)
        if pf is None or pf.path in seen:
            continue
        seen.add(pf.path)
        calls = [n for n in ast.walk(pf.tree) if isinstance(n, ast.Call) and callee_name(n) in classes]
        for call in sorted(calls, key=lambda n: (n.lineno, n.col_offset)):
            name_kw = next((k for k in call.keywords if k.arg == "name"), None)
            if name_kw is not None and isinstance(name_kw.value, ast.Constant) and isinstance(name_kw.value.value, str):
                named.setdefault(name_kw.value.value, (pf, call))
            elif name_kw is None:
                unnamed.setdefault(callee_name(call) or "", []).append((pf, call))
    out: Dict[str, Dict[str, Any]] = {}
    pending: Dict[str, List[str]] = {}
    for name, cls, _explicit in layer_list:
        hit = named.get(name)
        if hit is not None:
            out[name] = hit[0].source_ref(hit[1])
        else:
            pending.setdefault(cls, []).append(name)
    for cls, names in pending.items():
        calls = unnamed.get(cls, [])
        if len(calls) == len(names):
            for name, (pf, call) in zip(names, calls):
                out[name] = pf.source_ref(call)
        elif len(calls) == 1:
            for name in names:
                out[name] = calls[0][0].source_ref(calls[0][1])
    return out
