#!/usr/bin/env python3
"""Writes the struct layouts Snag's asyncio task reader needs, one JSON file per CPython minor version.

The reader (src/core/asyncio/snag_asyncio.py) reads a live interpreter's memory, so it must know where
each field sits: the interpreter state, dicts, sets, strings, code objects, frames, coroutines, and
the C Task/Future of the _asyncio module (defined in Modules/_asynciomodule.c, not in any installed
header). Each interpreter built with debug info (pyenv's builds are) carries that knowledge in its
DWARF, so this script asks gdb for it, the way `ptype /o TaskObj` prints it, but through gdb's
Python API so that each field's offset (and a bitfield's bit position) is read exactly:

    scripts/generate-asyncio-layouts.py [PYENV_VERSIONS_DIR] [--out DIR]

For each `3.X.Y` under PYENV_VERSIONS_DIR (default: $PYENV_ROOT/versions, else ~/.pyenv/versions) it
reads the interpreter (libpython3.X.so when the build is shared, else bin/python3.X) and
lib/python3.X/lib-dynload/_asyncio*.so, plus the opcode numbers from the version's installed
include/ headers, and writes OUT/cpython-3.X.json (default OUT: src/core/asyncio/layouts). The files
are checked in: the script runs once per new CPython minor version, not at build time. Requires
gdb with Python support. The layouts of one minor version are the same in every patch release of it
(CPython keeps these structures stable within a minor version).
"""
import glob
import json
import os
import re
import subprocess
import sys
import tempfile

# ---- inside gdb: read the layouts from the DWARF of the loaded file ----
# Each entry: struct (the first of several names that exists), fields wanted (dotted paths into
# nested structs). A field missing in a version is written as null: the reader picks by version.
STRUCTS = [
    (['PyObject'], ['ob_refcnt', 'ob_type']),
    (['PyVarObject'], ['ob_size']),
    (['PyTypeObject'], ['tp_name', 'tp_basicsize', 'tp_itemsize', 'tp_dictoffset', 'tp_flags', 'tp_base', 'tp_members', 'tp_weaklistoffset']),
    (['PyHeapTypeObject'], ['ht_cached_keys']),
    (['PyMemberDef'], ['name', 'type', 'offset']),
    (['PyModuleObject'], ['md_dict']),
    (['_PyRuntimeState', 'struct pyruntimestate'], ['interpreters.head', 'interpreters.main']),
    (['PyInterpreterState', 'struct _is'], ['next', 'modules', 'imports.modules']),
    (['PyDictObject'], ['ma_used', 'ma_keys', 'ma_values']),
    (['PyDictKeysObject', 'struct _dictkeysobject'], ['dk_size', 'dk_log2_size', 'dk_log2_index_bytes', 'dk_kind', 'dk_nentries', 'dk_indices']),
    (['PyDictKeyEntry'], ['me_hash', 'me_key', 'me_value']),
    (['PyDictUnicodeEntry'], ['me_key', 'me_value']),
    (['PyDictValues', 'struct _dictvalues'], ['values']),
    (['PySetObject'], ['used', 'mask', 'table']),
    (['setentry'], ['key', 'hash']),
    (['PyWeakReference', 'struct _PyWeakReference'], ['wr_object']),
    (['PyListObject'], ['ob_item']),
    (['PyTupleObject'], ['ob_item']),
    (['PyASCIIObject'], ['length', 'state', 'state.kind', 'state.compact', 'state.ascii']),
    (['PyCompactUnicodeObject'], []),
    (['PyUnicodeObject'], ['data']),
    (['PyBytesObject'], ['ob_sval']),
    (['PyLongObject', 'struct _longobject'], ['ob_digit', 'long_value.lv_tag', 'long_value.ob_digit']),
    (['PyFloatObject'], ['ob_fval']),
    (['PyCellObject'], ['ob_ref']),
    (['PyMethodObject'], ['im_func', 'im_self']),
    (
        ['PyCodeObject'],
        [
            'co_flags', 'co_nlocals', 'co_nlocalsplus', 'co_stacksize', 'co_firstlineno', 'co_code', 'co_code_adaptive',
            'co_varnames', 'co_cellvars', 'co_freevars', 'co_localsplusnames', 'co_filename', 'co_name', 'co_qualname',
            'co_lnotab', 'co_linetable',
        ],
    ),
    (
        ['PyFrameObject', 'struct _frame'],
        ['f_back', 'f_code', 'f_lasti', 'f_lineno', 'f_valuestack', 'f_stacktop', 'f_stackdepth', 'f_state', 'f_executing', 'f_localsplus', 'f_frame'],
    ),
    (['_PyInterpreterFrame', 'struct _PyInterpreterFrame'], ['f_code', 'f_executable', 'previous', 'prev_instr', 'instr_ptr', 'stacktop', 'owner', 'localsplus']),
    (
        ['PyGenObject'],
        ['gi_frame', 'gi_code', 'gi_name', 'gi_qualname', 'gi_running', 'gi_frame_state', 'gi_iframe', 'gi_origin_or_finalizer'],
    ),
    (['PyCoroObject'], ['cr_frame', 'cr_code', 'cr_qualname', 'cr_origin', 'cr_origin_or_finalizer', 'cr_frame_state', 'cr_iframe']),
    (['PyAsyncGenASend'], ['ags_gen']),
    (['PyAsyncGenAThrow'], ['agt_gen']),
    (['PyCoroWrapper'], ['cw_coroutine']),
    # _asyncio.so
    (
        ['TaskObj'],
        ['task_loop', 'task_state', 'task_fut_waiter', 'task_coro', 'task_name', 'task_source_tb', 'task_result', 'task_exception', 'task_must_cancel'],
    ),
    (['FutureObj'], ['fut_loop', 'fut_state', 'fut_source_tb', 'fut_callback0', 'fut_callbacks', 'fut_result', 'fut_exception']),
    (['futureiterobject', 'struct futureiterobject'], ['future']),
]
ENUMS = [
    (['fut_state'], ['STATE_PENDING', 'STATE_CANCELLED', 'STATE_FINISHED']),
    (
        ['enum _framestate'],
        ['FRAME_CREATED', 'FRAME_SUSPENDED', 'FRAME_SUSPENDED_YIELD_FROM', 'FRAME_EXECUTING', 'FRAME_RETURNED', 'FRAME_COMPLETED', 'FRAME_CLEARED'],
    ),
]


def in_gdb(out_path):
    import gdb  # noqa: F401 (only inside gdb)

    def lookup(names):
        for name in names:
            try:
                return gdb.lookup_type(name)
            except gdb.error:
                pass
        return None

    def field_at(t, path):
        """(byte offset, bit position, bit size, field type) of a dotted field path, or None."""
        bits = 0
        field = None
        for part in path.split('.'):
            t = t.strip_typedefs()
            if t.code not in (gdb.TYPE_CODE_STRUCT, gdb.TYPE_CODE_UNION):
                return None
            found = find_member(t, part)
            if found is None:
                return None
            field, at = found
            bits += at
            t = field.type
        return bits // 8, bits % 8, field.bitsize, t.strip_typedefs()

    def find_member(t, name):
        """The member `name` of struct/union t and its bit position, looking into anonymous members (3.12's ob_refcnt union)."""
        for f in t.fields():
            if f.name == name:
                return f, f.bitpos
            inner = f.type.strip_typedefs()
            if f.name is None and inner.code in (gdb.TYPE_CODE_STRUCT, gdb.TYPE_CODE_UNION):
                found = find_member(inner, name)
                if found is not None:
                    return found[0], f.bitpos + found[1]
        return None

    def kind_of(t):
        """How the reader loads a field: 'p' a pointer, 'i4'/'u8'... an integer, 'a' an array or struct (its address)."""
        if t.code == gdb.TYPE_CODE_PTR:
            return 'p'
        if t.code in (gdb.TYPE_CODE_INT, gdb.TYPE_CODE_ENUM, gdb.TYPE_CODE_CHAR, gdb.TYPE_CODE_BOOL):
            signed = t.code == gdb.TYPE_CODE_ENUM or getattr(t, 'is_signed', True)
            if t.code == gdb.TYPE_CODE_INT and not hasattr(t, 'is_signed'):
                signed = not str(t).startswith('unsigned') and not str(t).startswith('uint')
            return '%s%d' % ('i' if signed else 'u', t.sizeof)
        if t.code == gdb.TYPE_CODE_FLT:
            return 'f%d' % t.sizeof
        return 'a'

    structs, bitfields, enums, kinds = {}, {}, {}, {}
    for names, fields in STRUCTS:
        t = lookup(names)
        if t is None:
            continue
        entry = {'__size__': t.strip_typedefs().sizeof}
        for path in fields:
            at = field_at(t, path)
            entry[path] = None if at is None else at[0]
            if at is None:
                continue
            if at[2]:
                bitfields['%s.%s' % (names[0], path)] = [at[0] * 8 + at[1], at[2]]
            else:
                kinds['%s.%s' % (names[0], path)] = kind_of(at[3])
        structs[names[0]] = entry
    for names, values in ENUMS:
        t = lookup(names)
        if t is None:
            continue
        t = t.strip_typedefs()
        if t.code != gdb.TYPE_CODE_ENUM:
            continue
        known = dict((f.name, f.enumval) for f in t.fields())
        enums[names[0]] = dict((v, known[v]) for v in values if v in known)
    with open(out_path, 'w') as f:
        json.dump({'structs': structs, 'bitfields': bitfields, 'enums': enums, 'kinds': kinds}, f)


# ---- outside gdb: drive it over each pyenv version ----
OPCODES = ['YIELD_FROM', 'SEND', 'RESUME', 'RESUME_QUICK', 'RESUME_CHECK', 'INSTRUMENTED_RESUME']


def opcodes(include_dir):
    found = {}
    for header in ('opcode.h', 'opcode_ids.h'):
        path = os.path.join(include_dir, header)
        if not os.path.exists(path):
            continue
        with open(path) as f:
            for m in re.finditer(r'^#define\s+(\w+)\s+(\d+)\s*$', f.read(), re.M):
                if m.group(1) in OPCODES:
                    found[m.group(1)] = int(m.group(2))
    return found


def read_layouts(gdb, binary):
    with tempfile.NamedTemporaryFile(suffix='.json', delete=False) as tmp:
        out = tmp.name
    try:
        env = dict(os.environ, SNAG_LAYOUT_OUT=out)
        subprocess.run(
            [gdb, '-nx', '-batch', '-iex', 'set debuginfod enabled off', '-ex', 'file ' + binary, '-x', os.path.abspath(__file__)],
            env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=300,
        )
        with open(out) as f:
            return json.load(f)
    finally:
        os.unlink(out)


def merge(into, more):
    for key in ('structs', 'bitfields', 'enums', 'kinds'):
        for name, value in more[key].items():
            into[key].setdefault(name, value)


def main(argv):
    root = os.path.join(os.environ.get('PYENV_ROOT', os.path.expanduser('~/.pyenv')), 'versions')
    out_dir = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'src', 'core', 'asyncio', 'layouts')
    args = list(argv)
    if '--out' in args:
        i = args.index('--out')
        out_dir = args[i + 1]
        del args[i:i + 2]
    if args:
        root = args[0]
    gdb = os.environ.get('GDB', 'gdb')
    os.makedirs(out_dir, exist_ok=True)
    seen = set()
    for version_dir in sorted(glob.glob(os.path.join(root, '3.*')), key=lambda p: [int(x) for x in re.findall(r'\d+', os.path.basename(p))[:3]]):
        m = re.match(r'^3\.(\d+)\.\d+$', os.path.basename(version_dir))
        if not m or int(m.group(1)) < 8 or int(m.group(1)) > 13:
            continue
        minor = '3.' + m.group(1)
        if minor in seen:
            continue
        libs = glob.glob(os.path.join(version_dir, 'lib', 'libpython%s*.so.1.0' % minor)) or glob.glob(os.path.join(version_dir, 'lib', 'libpython%s*.so' % minor))
        interpreter = libs[0] if libs else os.path.join(version_dir, 'bin', 'python' + minor)
        asyncio_so = glob.glob(os.path.join(version_dir, 'lib', 'python' + minor, 'lib-dynload', '_asyncio*.so'))
        if not asyncio_so:
            print('%s: no _asyncio extension module, skipped' % version_dir, file=sys.stderr)
            continue
        layouts = {'structs': {}, 'bitfields': {}, 'enums': {}, 'kinds': {}}
        merge(layouts, read_layouts(gdb, interpreter))
        merge(layouts, read_layouts(gdb, asyncio_so[0]))
        for needed in ('TaskObj', 'PyCodeObject', 'PyDictKeysObject', 'PyASCIIObject'):
            if needed not in layouts['structs']:
                raise SystemExit('%s: no debug info for %s (build the interpreter with -g)' % (version_dir, needed))
        document = {
            'version': minor,
            'generatedFrom': os.path.basename(version_dir),
            'opcodes': opcodes(os.path.join(version_dir, 'include', 'python' + minor)),
            'structs': layouts['structs'],
            'bitfields': layouts['bitfields'],
            'enums': layouts['enums'],
            'kinds': layouts['kinds'],
        }
        path = os.path.join(out_dir, 'cpython-%s.json' % minor)
        with open(path, 'w') as f:
            json.dump(document, f, indent=1, sort_keys=True)
            f.write('\n')
        seen.add(minor)
        print('wrote %s (from %s)' % (os.path.relpath(path), os.path.basename(version_dir)))
    if not seen:
        raise SystemExit('no CPython 3.8-3.13 found under %s' % root)


if os.environ.get('SNAG_LAYOUT_OUT') and 'gdb' in sys.modules:
    in_gdb(os.environ['SNAG_LAYOUT_OUT'])
elif __name__ == '__main__':
    main(sys.argv[1:])
