/* HexFlash test firmware for the serial console (built at test time by test/emulator/test-firmware.ts).
 * On start it prints a banner naming its baud rate; then it echoes each line it receives as
 * "echo: <line>". The line "bin" answers with the bytes 00 1b 7f ff between two markers, so a test can
 * see that bytes which are not text reach the console and are shown escaped. USART0, 8N1, U2X,
 * polled (the emulator's UART model sets the flags; no interrupts needed). BAUD and F_CPU come from
 * the compiler's command line. */
#include <avr/io.h>
#include <avr/wdt.h>
#include <stdint.h>

#define UBRR_VALUE ((F_CPU + BAUD * 4UL) / (BAUD * 8UL) - 1UL)
#define STR2(x) #x
#define STR(x) STR2(x)

static char line[96];
static uint8_t len;
/* Bytes that arrived while we were sending: the UART holds only two. */
static uint8_t pending[32];
static uint8_t pendingHead, pendingCount;

static void poll_rx(void) {
  while ((UCSR0A & (1 << RXC0)) && pendingCount < sizeof pending) {
    pending[(uint8_t)(pendingHead + pendingCount) % sizeof pending] = UDR0;
    pendingCount++;
  }
}

static void put(uint8_t c) {
  while (!(UCSR0A & (1 << UDRE0))) poll_rx();
  UDR0 = c;
}

static void puts_(const char *s) {
  while (*s) put((uint8_t)*s++);
}

static uint8_t get(void) {
  for (;;) {
    poll_rx();
    if (pendingCount) {
      uint8_t c = pending[pendingHead];
      pendingHead = (uint8_t)(pendingHead + 1) % sizeof pending;
      pendingCount--;
      return c;
    }
  }
}

static uint8_t is(const char *want) {
  uint8_t i = 0;
  for (; want[i]; i++) if (i >= len || line[i] != want[i]) return 0;
  return i == len;
}

int main(void) {
  MCUSR = 0;
  wdt_disable();
  UBRR0H = (uint8_t)(UBRR_VALUE >> 8);
  UBRR0L = (uint8_t)UBRR_VALUE;
  UCSR0A = (1 << U2X0);
  UCSR0C = (1 << UCSZ01) | (1 << UCSZ00);
  UCSR0B = (1 << RXEN0) | (1 << TXEN0);
  puts_("HexFlash console test firmware, " STR(BAUD) " baud. Type a line: it comes back.\r\n");
  for (;;) {
    uint8_t c = get();
    if (c == '\r' || c == '\n') {
      if (len == 0) continue;
      if (is("bin")) {
        puts_("bin: <");
        put(0x00); put(0x1b); put(0x7f); put(0xff);
        puts_(">\r\n");
      } else {
        puts_("echo: ");
        for (uint8_t i = 0; i < len; i++) put((uint8_t)line[i]);
        puts_("\r\n");
      }
      len = 0;
    } else if (len < sizeof line) {
      line[len++] = (char)c;
    }
  }
}
