package criteria

import "slices"

// The key tables below are the file format's contract. Other encodings of
// a framework (the Excel layout in package criteriaxlsx) read them here
// instead of keeping copies that could drift.

// FrameworkKeys lists the framework-level keys in canonical order.
func FrameworkKeys() []string { return slices.Clone(frameworkKeys) }

// BandKeys lists the keys of a band in canonical order.
func BandKeys() []string { return slices.Clone(bandKeys) }

// NodeKeys lists every key a node may carry, in canonical order.
func NodeKeys() []string { return slices.Clone(nodeKeys) }

// MethodKeys lists the keys a leaf with method m may carry besides code,
// name, description, adjustment, missing and method (max included for
// scored methods); nil for an unknown method.
func MethodKeys(m Method) []string { return slices.Clone(methodKeys[m]) }

// IsCode reports whether s is a well-formed framework, node, band or
// survey code.
func IsCode(s string) bool { return isCode(s) }
