// Every test file signs ticket codes like the handlers do: the functions' key loader, with a key
// generated for the test process unless a test serves its own (tests/support/tickets.ts).
import "@evently/functions/lib/ticket-keys";
