// Package parindex holds the domain types shared by the whole product: the
// organisation unit, the civil date, and the one error type whose codes the
// web layer maps to HTTP statuses.
//
// It owns no technology: it must never import SQL drivers, gin, excelize or
// any other package of this module but vn, which holds the Vietnamese
// alphabetical order that the order of units (SortUnits) follows and imports
// only golang.org/x/text. Everything else may import it.
package parindex
