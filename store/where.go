package store

import (
	"fmt"
	"strings"
)

// conditions collects the conditions of a filter's WHERE clause and their
// arguments, numbered $1, $2, … in the order they are added.
type conditions struct {
	list []string
	args []any
}

// arg adds v to the arguments and returns its placeholder.
func (c *conditions) arg(v any) string {
	c.args = append(c.args, v)
	return fmt.Sprintf("$%d", len(c.args))
}

// add adds a condition whose arguments c.arg has numbered.
func (c *conditions) add(condition string) { c.list = append(c.list, condition) }

// where renders the conditions joined by AND after " WHERE ", or "" when
// there are none.
func (c *conditions) where() string {
	if len(c.list) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(c.list, " AND ")
}

// equal adds "column = v" unless v is the zero value of its type, which in
// a filter asks for nothing.
func equal[T comparable](c *conditions, column string, v T) {
	var zero T
	if v != zero {
		c.add(column + " = " + c.arg(v))
	}
}
