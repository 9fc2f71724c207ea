// Command ferretdb serves FerretDB v1 on its SQLite backend: the MongoDB-wire server
// the MongoDB store's tests run against (no MongoDB server can be installed on our
// machines).
//
// It embeds the package github.com/FerretDB/FerretDB/ferretdb instead of building
// FerretDB's own command: built outside FerretDB's repository, that command panics at
// start for want of a generated version file. The embedded server keeps its state in
// memory (no state directory), never sends telemetry and opens no debug listener.
//
// Usage: ferretdb --listen-addr 127.0.0.1:PORT --sqlite-url file:/DATA/DIR/
//
// It stops on SIGINT or SIGTERM; SIGKILL stands for a crash.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/FerretDB/FerretDB/ferretdb"
)

func main() {
	listen := flag.String("listen-addr", "127.0.0.1:27017", "TCP address to listen on")
	sqliteURL := flag.String("sqlite-url", "", "SQLite URI of the data directory, e.g. file:/tmp/data/")
	flag.Parse()
	if *sqliteURL == "" {
		fmt.Fprintln(os.Stderr, "--sqlite-url is required")
		os.Exit(2)
	}

	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	server, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: *listen},
		Logger:    logger,
		Handler:   "sqlite",
		SQLiteURL: *sqliteURL,
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	fmt.Println("listening on", server.MongoDBURI())
	if err := server.Run(ctx); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
