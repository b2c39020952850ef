"""What a signed PDF may gain after its first signature: further invisible signatures, nothing else.

Why our own check: pyHanko's difference analysis grades what changed (``FORM_FILLING`` covers a
new signature field *with an appearance*, and form values), and a file at that level still
"verifies". An empty signature field whose appearance paints "100" over "98 分", followed by a
real signature, showed the reader a total nobody signed. The program's own signatures are
invisible (the handwritten block is drawn before signing), so after the first signature the only
legitimate additions are: a new signature field that shows nothing, its signature dictionary,
and the bookkeeping that links it in (the page's ``/Annots``, the form's ``/Fields`` and
``/SigFlags``, the catalog's ``/AcroForm``). Anything else in a later revision (an appearance
stream with content, a changed or new annotation, a form value, page content, a freed object)
counts as modified. Document metadata (the ``/Info`` dictionary, the XMP stream) may change:
pyHanko stamps its dates when signing, and a reader never draws it on a page.
"""

from __future__ import annotations

from typing import Any

# Catalog, form and page keys that the addition of a signature field may change.
_CATALOG_KEYS = frozenset({"/AcroForm"})
_FORM_KEYS = frozenset({"/Fields", "/SigFlags"})
_PAGE_KEYS = frozenset({"/Annots"})
_CONTAINERS = frozenset({"/XRef", "/ObjStm"})


def only_signatures_added(reader: Any, after_revision: int) -> bool:
    """Whether every revision after ``after_revision`` only adds invisible signatures."""
    from pyhanko.pdf_utils import generic

    total = reader.xrefs.total_revisions
    for rev in range(after_revision + 1, total):
        old = reader.get_historical_resolver(rev - 1)
        new = reader.get_historical_resolver(rev)
        if reader.xrefs.refs_freed_in_revision(rev):
            return False
        if _ref_key(old.root_ref) != _ref_key(new.root_ref):
            return False
        changed = reader.xrefs.explicit_refs_in_revision(rev)
        fresh = {_ref_key(r) for r in changed if old.is_ref_unassignable(r)}
        objects = {_ref_key(r): new(r) for r in changed}
        info = _info_ref(reader, rev, generic)
        sig_fields = {
            key
            for key, obj in objects.items()
            if key in fresh and _is_dict(obj, generic) and obj.get("/FT") == "/Sig"
        }
        for key, obj in objects.items():
            ref = next(r for r in changed if _ref_key(r) == key)
            if key == info and _is_dict(obj, generic):
                continue  # the document information dictionary: metadata, never drawn
            if not _allowed(obj, ref, key, key in fresh, sig_fields, old, new, generic):
                return False
    return True


def _info_ref(reader: Any, rev: int, generic: Any) -> tuple[int, int] | None:
    try:
        raw = reader.trailer.raw_get("/Info", revision=rev)
    except KeyError:
        return None
    return _ref_key(raw.reference) if isinstance(raw, generic.IndirectObject) else None


def _ref_key(ref: Any) -> tuple[int, int]:
    return int(ref.idnum), int(ref.generation)


def _is_dict(obj: Any, generic: Any) -> bool:
    return isinstance(obj, generic.DictionaryObject)


def _allowed(
    obj: Any,
    ref: Any,
    key: tuple[int, int],
    is_new: bool,
    sig_fields: set[tuple[int, int]],
    old: Any,
    new: Any,
    generic: Any,
) -> bool:
    if isinstance(obj, generic.StreamObject):
        if obj.get("/Type") in _CONTAINERS:
            return True
        if obj.get("/Type") == "/Metadata" and obj.get("/Subtype") == "/XML":
            return True  # XMP metadata (pyHanko updates its dates when signing): never drawn
        # a new form XObject that draws nothing (an invisible field's empty appearance)
        return is_new and obj.get("/Subtype") == "/Form" and not obj.data.strip()
    if isinstance(obj, generic.ArrayObject):  # an indirect /Annots or /Fields array
        return not is_new and _grows_by(old(ref), obj, sig_fields, generic)
    if not _is_dict(obj, generic):
        return False
    if key in sig_fields:
        return _invisible_field(obj, generic)
    if is_new:
        return obj.get("/Type") == "/Sig" and "/Contents" in obj and "/ByteRange" in obj
    before = old(ref)
    if not _is_dict(before, generic):
        return False
    differing = {k for k in set(before) | set(obj) if not _same(_raw(before, k), _raw(obj, k), generic)}
    if not differing:
        return True
    if key == _ref_key(new.root_ref):
        return differing <= _CATALOG_KEYS and _form_grows(before, obj, sig_fields, old, generic)
    kind = obj.get("/Type")
    if kind == "/Page" and differing <= _PAGE_KEYS:
        return _grows_by(
            _deref(before, "/Annots", generic), _deref(obj, "/Annots", generic), sig_fields, generic
        )
    if "/Fields" in obj and differing <= _FORM_KEYS:  # the /AcroForm dictionary, indirect
        return _grows_by(
            _deref(before, "/Fields", generic), _deref(obj, "/Fields", generic), sig_fields, generic
        )
    if obj.get("/FT") == "/Sig" and differing == {"/V"} and "/V" not in before:
        return _invisible_field(obj, generic)  # an empty field made before, now signed
    return False


def _form_grows(before: Any, after: Any, sig_fields: set[tuple[int, int]], old: Any, generic: Any) -> bool:
    """The catalog's /AcroForm: the same indirect form, or a direct one that only gained fields."""
    a, b = _raw(before, "/AcroForm"), _raw(after, "/AcroForm")
    if isinstance(b, generic.IndirectObject):
        return True  # the form object itself is checked as a changed object of its own
    if not _is_dict(b, generic):
        return False
    form_before = a.get_object() if isinstance(a, generic.IndirectObject) else a
    if form_before is None:
        form_before = generic.DictionaryObject()
    differing = {k for k in set(form_before) | set(b) if not _same(_raw(form_before, k), _raw(b, k), generic)}
    if not differing <= _FORM_KEYS:
        return False
    return _grows_by(
        _deref(form_before, "/Fields", generic), _deref(b, "/Fields", generic), sig_fields, generic
    )


def _grows_by(before: Any, after: Any, sig_fields: set[tuple[int, int]], generic: Any) -> bool:
    """``after`` keeps every entry of ``before`` and adds only new signature fields."""
    if before is None:
        before = generic.ArrayObject()
    if not isinstance(before, generic.ArrayObject) or not isinstance(after, generic.ArrayObject):
        return False
    old_refs = [_entry(before, i, generic) for i in range(len(before))]
    new_refs = [_entry(after, i, generic) for i in range(len(after))]
    if None in old_refs or None in new_refs or new_refs[: len(old_refs)] != old_refs:
        return False
    return all(r in sig_fields for r in new_refs[len(old_refs) :])


def _entry(array: Any, i: int, generic: Any) -> tuple[int, int] | None:
    raw = array.raw_get(i)
    return _ref_key(raw.reference) if isinstance(raw, generic.IndirectObject) else None


def _invisible_field(field: Any, generic: Any) -> bool:
    """A signature field (merged with its widget) that shows nothing: a zero-area /Rect (or no
    widget at all), no /Kids, and any appearance streams empty."""
    if "/Kids" in field:
        return False
    rect = field.get("/Rect")
    if rect is not None:
        try:
            x1, y1, x2, y2 = (float(v) for v in rect)
        except (TypeError, ValueError):
            return False
        if abs(x2 - x1) > 0 and abs(y2 - y1) > 0:
            return False
    return _empty_appearance(field.get("/AP"), generic)


def _empty_appearance(ap: Any, generic: Any) -> bool:
    if ap is None:
        return True
    if isinstance(ap, generic.StreamObject):
        return not ap.data.strip()
    if _is_dict(ap, generic):
        return all(_empty_appearance(ap[k], generic) for k in ap)
    return False


def _raw(d: Any, key: str) -> Any:
    return d.raw_get(key) if key in d else None


def _deref(d: Any, key: str, generic: Any) -> Any:
    value = _raw(d, key)
    return value.get_object() if isinstance(value, generic.IndirectObject) else value


def _same(a: Any, b: Any, generic: Any) -> bool:
    """Structural equality of two raw PDF values (references compared as references)."""
    if isinstance(a, generic.IndirectObject) or isinstance(b, generic.IndirectObject):
        return (
            isinstance(a, generic.IndirectObject)
            and isinstance(b, generic.IndirectObject)
            and _ref_key(a.reference) == _ref_key(b.reference)
        )
    if isinstance(a, generic.StreamObject) or isinstance(b, generic.StreamObject):
        return (
            isinstance(a, generic.StreamObject)
            and isinstance(b, generic.StreamObject)
            and a.encoded_data == b.encoded_data
            and _same_dict(a, b, generic)
        )
    if _is_dict(a, generic) or _is_dict(b, generic):
        return _is_dict(a, generic) and _is_dict(b, generic) and _same_dict(a, b, generic)
    if isinstance(a, generic.ArrayObject) or isinstance(b, generic.ArrayObject):
        return (
            isinstance(a, generic.ArrayObject)
            and isinstance(b, generic.ArrayObject)
            and len(a) == len(b)
            and all(_same(a.raw_get(i), b.raw_get(i), generic) for i in range(len(a)))
        )
    return bool(a == b) and type(a) is type(b)


def _same_dict(a: Any, b: Any, generic: Any) -> bool:
    return set(a) == set(b) and all(_same(a.raw_get(k), b.raw_get(k), generic) for k in a)
