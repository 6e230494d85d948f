package main

import (
	"context"
	"fmt"
	"io"
)

func fixCmd(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "hardener fix: not built yet")
	return 2
}
