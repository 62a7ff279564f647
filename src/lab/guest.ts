/**
 * The lab's tiny guest: a 512-byte x86 real-mode boot sector that prints an increasing decimal counter,
 * one number per line, on the first serial port (COM1, I/O port 0x3F8) forever. Its serial log on a
 * migration's destination continuing the source's count proves the running state moved.
 *
 * The machine code is written out here by hand, one instruction per line with its assembly in the
 * comment; `assemble` only resolves label addresses. The BIOS loads the sector at 0000:7C00.
 */

const LOAD_ADDRESS = 0x7c00;
const SECTOR_BYTES = 512;
const DIGITS = 10;
/** BIOS timer ticks (18.2 per second) between two numbers: about 9 numbers a second. */
const TICKS_PER_NUMBER = 2;
/** The BIOS data area word that the timer interrupt increments 18.2 times a second. */
const BIOS_TICK_COUNTER = 0x046c;
const COM1_DATA = 0x3f8;
const COM1_LINE_STATUS = 0x3fd;
const TRANSMIT_HOLDING_EMPTY = 0x20;

type Piece =
  | { kind: 'bytes'; bytes: number[] }
  | { kind: 'label'; name: string }
  /** A signed 8-bit offset from the end of this byte to the label (short jumps, loop). */
  | { kind: 'rel8'; label: string }
  /** A signed 16-bit offset from the end of these bytes to the label (near call). */
  | { kind: 'rel16'; label: string }
  /** The label's absolute 16-bit address (data, with DS = 0). */
  | { kind: 'abs16'; label: string; plus: number };

const op = (...bytes: number[]): Piece => ({ kind: 'bytes', bytes });
const label = (name: string): Piece => ({ kind: 'label', name });
const rel8 = (target: string): Piece => ({ kind: 'rel8', label: target });
const rel16 = (target: string): Piece => ({ kind: 'rel16', label: target });
const abs16 = (target: string, plus = 0): Piece => ({ kind: 'abs16', label: target, plus });
const word = (value: number): number[] => [value & 0xff, (value >> 8) & 0xff];

const SERIAL_COUNTER: Piece[] = [
  op(0xfa), //                          cli
  op(0x31, 0xc0), //                    xor  ax, ax
  op(0x8e, 0xd8), //                    mov  ds, ax              ; data addressed from 0000
  op(0x8e, 0xd0), //                    mov  ss, ax
  op(0xbc, ...word(LOAD_ADDRESS)), //   mov  sp, 0x7C00          ; stack grows down below the code
  op(0xfb), //                          sti                      ; the BIOS timer interrupt keeps ticking

  label('next_number'),
  op(0xbe), abs16('digits', DIGITS - 1), // mov si, digits+9     ; the last ASCII digit
  label('increment'),
  op(0xfe, 0x04), //                    inc  byte [si]
  op(0x80, 0x3c, 0x3a), //              cmp  byte [si], '9'+1
  op(0x75), rel8('print'), //           jne  print               ; no carry: done
  op(0xc6, 0x04, 0x30), //              mov  byte [si], '0'
  op(0x4e), //                          dec  si                  ; carry into the digit on the left
  op(0x81, 0xfe), abs16('digits'), //   cmp  si, digits
  op(0x73), rel8('increment'), //       jae  increment

  label('print'),
  op(0xbe), abs16('digits'), //         mov  si, digits
  label('skip_zero'),
  op(0x81, 0xfe), abs16('digits', DIGITS - 1), // cmp si, digits+9 ; always print the last digit
  op(0x74), rel8('emit'), //            je   emit
  op(0x80, 0x3c, 0x30), //              cmp  byte [si], '0'
  op(0x75), rel8('emit'), //            jne  emit
  op(0x46), //                          inc  si                  ; leading zero: skip it
  op(0xeb), rel8('skip_zero'), //       jmp  skip_zero
  label('emit'),
  op(0x8a, 0x04), //                    mov  al, [si]
  op(0xe8), rel16('putc'), //           call putc
  op(0x46), //                          inc  si
  op(0x81, 0xfe), abs16('digits', DIGITS), // cmp si, digits+10
  op(0x75), rel8('emit'), //            jne  emit
  op(0xb0, 0x0a), //                    mov  al, 10              ; newline
  op(0xe8), rel16('putc'), //           call putc

  op(0xb9, ...word(TICKS_PER_NUMBER)), // mov cx, TICKS_PER_NUMBER
  label('wait_tick'),
  op(0x8b, 0x1e, ...word(BIOS_TICK_COUNTER)), // mov bx, [0x046C]
  label('idle'),
  op(0xf4), //                          hlt                      ; sleep until an interrupt: an idle guest
  op(0x3b, 0x1e, ...word(BIOS_TICK_COUNTER)), // cmp bx, [0x046C]
  op(0x74), rel8('idle'), //            je   idle                ; woken by something else: sleep again
  op(0xe2), rel8('wait_tick'), //       loop wait_tick
  op(0xeb), rel8('next_number'), //     jmp  next_number

  label('putc'), //                     ; send AL on COM1 once the transmitter is free
  op(0x88, 0xc4), //                    mov  ah, al
  op(0xba, ...word(COM1_LINE_STATUS)), // mov dx, 0x3FD
  label('wait_transmitter'),
  op(0xec), //                          in   al, dx
  op(0xa8, TRANSMIT_HOLDING_EMPTY), //  test al, 0x20
  op(0x74), rel8('wait_transmitter'), // jz  wait_transmitter
  op(0x88, 0xe0), //                    mov  al, ah
  op(0xba, ...word(COM1_DATA)), //      mov  dx, 0x3F8
  op(0xee), //                          out  dx, al
  op(0xc3), //                          ret

  label('digits'), //                   ; the counter itself, as ASCII decimal digits
  op(...Array.from({ length: DIGITS }, () => 0x30)),
];

function size(piece: Piece): number {
  switch (piece.kind) {
    case 'bytes':
      return piece.bytes.length;
    case 'label':
      return 0;
    case 'rel8':
      return 1;
    case 'rel16':
    case 'abs16':
      return 2;
  }
}

/** Lay the pieces out from `origin`, resolve labels, and return the machine code. */
function assemble(pieces: readonly Piece[], origin: number): number[] {
  const labels = new Map<string, number>();
  let offset = 0;
  for (const piece of pieces) {
    if (piece.kind === 'label') labels.set(piece.name, offset);
    offset += size(piece);
  }
  const at = (name: string): number => {
    const found = labels.get(name);
    if (found === undefined) throw new Error(`boot sector: unknown label ${name}`);
    return found;
  };
  const code: number[] = [];
  for (const piece of pieces) {
    const end = code.length + size(piece);
    switch (piece.kind) {
      case 'bytes':
        code.push(...piece.bytes);
        break;
      case 'label':
        break;
      case 'rel8': {
        const distance = at(piece.label) - end;
        if (distance < -128 || distance > 127) throw new Error(`boot sector: ${piece.label} is out of short-jump range`);
        code.push(distance & 0xff);
        break;
      }
      case 'rel16':
        code.push(...word((at(piece.label) - end) & 0xffff));
        break;
      case 'abs16':
        code.push(...word(origin + at(piece.label) + piece.plus));
        break;
    }
  }
  return code;
}

/** The 512-byte boot sector: the program, zero padding, and the 0x55 0xAA boot signature. */
export function serialCounterBootSector(): Buffer {
  const code = assemble(SERIAL_COUNTER, LOAD_ADDRESS);
  if (code.length > SECTOR_BYTES - 2) throw new Error(`boot sector: ${code.length} bytes of code do not fit`);
  const sector = Buffer.alloc(SECTOR_BYTES);
  Buffer.from(code).copy(sector);
  sector[SECTOR_BYTES - 2] = 0x55;
  sector[SECTOR_BYTES - 1] = 0xaa;
  return sector;
}

/** Boot programs the guest_image module can write, by the name used in playbooks. */
export const BOOT_PROGRAMS = {
  serial_counter: serialCounterBootSector,
} as const;

export type BootProgram = keyof typeof BOOT_PROGRAMS;
