// How the emulated ATmega32U4 gets Caterina: Debian's arduino-core-avr ships Caterina.c and
// Caterina.h but not LUFA, the USB stack they build on. The recipe compiles Caterina's own code —
// main(), the 8 s timeout on Timer1, the AVR109 command loop CDC_Task() and ReadWriteMemoryBlock() —
// with avr-gcc, as scripted edits of a copy: the two byte functions the loop calls
// (FetchNextCommandByte, WriteNextResponseByte) read and write USART1 instead of the CDC endpoint,
// CDC_Task's endpoint polling and hand-back become a look at RXC1, and the USB-only parts (line
// encoding, the USB event handlers) are cut. A small header of ours stands in for LUFA's few other
// names (USB_Init sets up USART1 at 1 Mbaud, about a full-speed CDC link's byte rate).
import type { BuildRecipe, SourceEdit } from './bootloaders.js';

const SHIM = `/* HexFlash test build: stands in for LUFA in Caterina.h. Not part of Caterina. */
#ifndef HEXFLASH_UART_SHIM_H
#define HEXFLASH_UART_SHIM_H
#include <avr/io.h>
#include <avr/pgmspace.h>
#define ATTR_NO_RETURN __attribute__((noreturn))
/* Descriptors.h (LUFA-based) defines these per chip; avr-libc knows them as SIGNATURE_0..2. */
#define AVR_SIGNATURE_1 SIGNATURE_0
#define AVR_SIGNATURE_2 SIGNATURE_1
#define AVR_SIGNATURE_3 SIGNATURE_2
/* USART1, 8N1, 1 Mbaud at 16 MHz (UBRR1 = 0). */
static inline void USB_Init(void) { UBRR1H = 0; UBRR1L = 0; UCSR1A = 0; UCSR1C = (1 << UCSZ11) | (1 << UCSZ10); UCSR1B = (1 << RXEN1) | (1 << TXEN1); }
static inline void USB_USBTask(void) {}
static inline void USB_Detach(void) { UCSR1B = 0; }
#endif
`;

const HEADER_EDITS: SourceEdit[] = [
  { why: 'LUFA is not in Debian: our UART shim instead of Descriptors.h', find: '#include "Descriptors.h"', replace: '#include "uart-shim.h"', count: 1 },
  { why: 'and instead of LUFA/Drivers/USB/USB.h', find: '#include <LUFA/Drivers/USB/USB.h>', replace: '', count: 1 },
];

const CATERINA_EDITS: SourceEdit[] = [
  {
    why: 'the CDC line encoding exists only for USB',
    find: /static CDC_LineEncoding_t LineEncoding = \{[^;]*\};/g,
    replace: '/* (CDC line encoding: USB only) */',
    count: 1,
  },
  {
    why: 'the USB event handlers (endpoint set-up, control requests) are USB only',
    find: /\/\*\* Event handler for the USB_ConfigurationChanged event\.[\s\S]*?(?=#if !defined\(NO_BLOCK_SUPPORT\))/g,
    replace: '',
    count: 1,
  },
  {
    why: 'FetchNextCommandByte reads USART1 instead of the CDC OUT endpoint',
    find: /static uint8_t FetchNextCommandByte\(void\)\r?\n\{[\s\S]*?\r?\n\}/g,
    replace: 'static uint8_t FetchNextCommandByte(void)\n{\n\tloop_until_bit_is_set(UCSR1A, RXC1);\n\treturn UDR1;\n}',
    count: 1,
  },
  {
    why: 'WriteNextResponseByte writes USART1 instead of the CDC IN endpoint (the TX LED pulse kept)',
    find: /static void WriteNextResponseByte\(const uint8_t Response\)\r?\n\{[\s\S]*?\r?\n\}/g,
    replace:
      'static void WriteNextResponseByte(const uint8_t Response)\n{\n\tloop_until_bit_is_set(UCSR1A, UDRE1);\n\tUDR1 = Response;\n\n\tTX_LED_ON();\n\tTxLEDPulse = TX_RX_LED_PULSE_PERIOD;\n}',
    count: 1,
  },
  {
    why: 'CDC_Task starts when a byte has arrived (RXC1) instead of when the OUT endpoint has a packet',
    find: /Endpoint_SelectEndpoint\(CDC_RX_EPNUM\);\s*\/\* Check if endpoint has a command in it sent from the host \*\/\s*if \(!\(Endpoint_IsOUTReceived\(\)\)\)\s*return;/g,
    replace: 'if (!(UCSR1A & (1 << RXC1)))\n\t  return;',
    count: 1,
  },
  {
    why: "CDC_Task's closing endpoint hand-back (IN packet, zero-length packet, OUT acknowledge) is USB only",
    find: /\/\* Select the IN endpoint \*\/[\s\S]*?Endpoint_ClearOUT\(\);(?=\s*\}\s*$)/g,
    replace: '/* (USB only: send the IN endpoint, acknowledge the OUT endpoint) */',
    count: 1,
  },
];

export const CATERINA_32U4: BuildRecipe = {
  kind: 'build',
  id: 'caterina-atmega32u4',
  mcu: 'atmega32u4',
  protocol: 'avr109',
  // Nominal: over USB CDC the host's baud is not used (the Arduino IDE opens it at 57600).
  baud: 57600,
  start: 0x7000,
  maxBytes: 0x1000,
  usbCdc: true,
  dir: 'caterina',
  main: 'Caterina.c',
  headers: ['Caterina.h'],
  headerEdits: { 'Caterina.h': HEADER_EDITS },
  ownFiles: { 'uart-shim.h': SHIM },
  edits: CATERINA_EDITS,
  // The Makefile's CFLAGS and CDEFS for the Leonardo (VID 2341, PID 0036, 32 KiB flash, 4 KiB boot
  // section at 0x7000), without the LUFA options, and its section start.
  gccFlags: [
    '-g', '-Os', '-mmcu=atmega32u4', '-DF_CPU=16000000UL', '-DF_USB=16000000UL', '-DBOOT_START_ADDR=0x7000UL',
    '-DDEVICE_VID=0x2341UL', '-DDEVICE_PID=0x0036UL', '-funsigned-char', '-funsigned-bitfields', '-ffunction-sections',
    '-fno-inline-small-functions', '-fpack-struct', '-fshort-enums', '-fno-strict-aliasing', '-Wall', '-Wstrict-prototypes',
    '-Wl,--section-start=.text=0x7000', '-Wl,--relax', '-Wl,--gc-sections',
  ],
  objcopyFlags: ['-j', '.text', '-j', '.data', '-O', 'ihex'],
  mustContain: [
    { what: 'SPM (block writes, chip erase)', insn: /^spm\b/ },
    { what: 'USART1 data register UDR1 (0xCE)', insn: /^(?:lds|sts)\t.*0x00CE\b/ },
    { what: 'a write to TIMSK1 (0x6F: the Timer1 interrupt behind the 8 s timeout)', insn: /^sts\t0x006F\b/ },
    { what: 'the jump to the sketch (StartSketch: jmp 0)', insn: /^jmp\t0\b/ },
  ],
  note: 'Caterina.c with its byte I/O on USART1 instead of LUFA\'s CDC endpoint (see caterina-recipe.ts)',
};
