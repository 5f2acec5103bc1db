// Package demo seeds a database with a fictional province, "tỉnh Minh Giang",
// shaped like a real one after the 1 July 2025 reform: about twenty
// departments, sixty communes and wards, a one-stop centre, and two former
// districts with their old communes kept as history, linked to the communes
// that succeeded them. Seeding is idempotent: running it again changes
// nothing. Later parts of the product add their own demo data here.
//
// It may import store and the root domain package; never web or the command line.
package demo
