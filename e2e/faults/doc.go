// Package faults holds end-to-end durability tests: the real `parindex serve`
// runs as a separate process under concurrent survey submissions while the
// tests kill it with SIGKILL or stop its PostgreSQL server, then prove from
// the database that every acknowledged submission is stored exactly once and
// that the answer counts agree with the stored answers. The package has no
// code of its own besides the tests; nothing may import it.
package faults
