package syncer

import (
	"bytes"
	"fmt"
	"runtime"
	"runtime/debug"
	"sync"
)

// committer writes batches on its own goroutine, in the order they were submitted,
// so that the worker fetches the next batch while the previous one is written. At most
// one batch waits while one is written (backpressure on the worker). After the first
// error it writes nothing more; wait returns that error once everything submitted is
// done. Its goroutine ends with wait, which every user calls.
type committer struct {
	ch   chan func() error
	done chan struct{}

	mu  sync.Mutex
	err error
}

func newCommitter(log func(msg string, args ...any)) *committer {
	c := &committer{ch: make(chan func() error, 1), done: make(chan struct{})}
	go func() {
		defer close(c.done)
		for fn := range c.ch {
			if c.failed() != nil {
				continue // drain: the worker must never block on a dead committer
			}
			if err := c.run(fn, log); err != nil {
				c.mu.Lock()
				c.err = err
				c.mu.Unlock()
			}
		}
	}()
	return c
}

func (c *committer) run(fn func() error, log func(msg string, args ...any)) (err error) {
	defer func() {
		if p := recover(); p != nil {
			log("panic while writing a batch", "panic", p, "stack", string(debug.Stack()))
			err = fmt.Errorf("syncer: panic while writing a batch: %v", p)
		}
	}()
	return fn()
}

func (c *committer) failed() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}

// submit queues fn; it returns the committer's error, if any, instead.
func (c *committer) submit(fn func() error) error {
	if err := c.failed(); err != nil {
		return err
	}
	c.ch <- fn
	return nil
}

// wait waits until everything submitted is written and returns the first error.
func (c *committer) wait() error {
	close(c.ch)
	<-c.done
	return c.failed()
}

// parsePool parses buffered bodies on every core while the worker fetches more.
type parsePool struct {
	sem chan struct{}
}

func newParsePool() *parsePool {
	return &parsePool{sem: make(chan struct{}, max(1, runtime.GOMAXPROCS(0)))}
}

// parse starts parsing the bodies of a batch that are still raw, without blocking, and
// returns a function that waits until all of them are parsed. Every goroutine it starts
// ends by itself: a parse is bounded by message.Limits, and parseBody recovers from
// panics.
func (p *parsePool) parse(bodies []fetchedBody) (wait func()) {
	var wg sync.WaitGroup
	for i := range bodies {
		if bodies[i].raw == nil {
			continue
		}
		wg.Add(1)
		go func(b *fetchedBody) {
			defer wg.Done()
			p.sem <- struct{}{}
			defer func() { <-p.sem }()
			parsed := parseBody(bytes.NewReader(b.raw))
			if b.plan != nil {
				b.plan.withElidedSizes(&parsed)
			}
			b.body, b.raw = &parsed, nil
		}(&bodies[i])
	}
	return wg.Wait
}
