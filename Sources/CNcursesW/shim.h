#ifndef INPAINT_CNCURSESW_SHIM_H
#define INPAINT_CNCURSESW_SHIM_H
// Wide-character ncurses: must be defined before <ncurses.h> so that cchar_t, setcchar and
// mvadd_wch are declared (Debian's libncurses-dev ships one header for both builds).
#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif
#ifndef _XOPEN_SOURCE_EXTENDED
#define _XOPEN_SOURCE_EXTENDED 1
#endif
#include <locale.h>
#include <wchar.h>
#include <ncurses.h>

// Globals: Swift 6 rejects mutable C globals as unsafe shared state, and some are macros.
static inline WINDOW *cnc_stdscr(void) { return stdscr; }
static inline int cnc_cols(void) { return COLS; }
static inline int cnc_lines(void) { return LINES; }
static inline int cnc_colors(void) { return COLORS; }
static inline int cnc_color_pairs(void) { return COLOR_PAIRS; }

// Macros that Swift cannot import (function-like or built from NCURSES_BITS).
static inline int cnc_color_pair(int n) { return (int)COLOR_PAIR(n); }
static inline attr_t cnc_a_normal(void) { return A_NORMAL; }
static inline attr_t cnc_a_bold(void) { return A_BOLD; }
static inline attr_t cnc_a_reverse(void) { return A_REVERSE; }
static inline attr_t cnc_a_dim(void) { return A_DIM; }
static inline attr_t cnc_a_underline(void) { return A_UNDERLINE; }

// Key codes that are macros of expressions.
static inline int cnc_key_resize(void) { return KEY_RESIZE; }
static inline int cnc_key_mouse(void) { return KEY_MOUSE; }
static inline int cnc_key_f(int n) { return KEY_F(n); }

// Mouse masks are built from NCURSES_MOUSE_MASK macros.
static inline mmask_t cnc_all_mouse_events(void) { return ALL_MOUSE_EVENTS; }
static inline mmask_t cnc_report_mouse_position(void) { return REPORT_MOUSE_POSITION; }
static inline mmask_t cnc_button1_pressed(void) { return BUTTON1_PRESSED; }
static inline mmask_t cnc_button1_released(void) { return BUTTON1_RELEASED; }
static inline mmask_t cnc_button1_clicked(void) { return BUTTON1_CLICKED; }
static inline mmask_t cnc_button3_pressed(void) { return BUTTON3_PRESSED; }
static inline mmask_t cnc_button3_released(void) { return BUTTON3_RELEASED; }
static inline mmask_t cnc_button4_pressed(void) { return BUTTON4_PRESSED; }
static inline mmask_t cnc_button5_pressed(void) { return BUTTON5_PRESSED; }
static inline mmask_t cnc_button_shift(void) { return BUTTON_SHIFT; }
static inline mmask_t cnc_button_ctrl(void) { return BUTTON_CTRL; }

// One wide character with attributes and a colour pair at (y, x): setcchar + mvadd_wch in one call,
// so Swift does not have to build a cchar_t (an opaque struct with a C array inside). The pair goes in
// through setcchar's `opts` (an int*) when extended colours exist, so pairs above 32767 work as well.
static inline int cnc_put_wch(int y, int x, wchar_t ch, attr_t attrs, int pair) {
    cchar_t cc;
    wchar_t wstr[2] = { ch, L'\0' };
#if NCURSES_EXT_COLORS
    if (setcchar(&cc, wstr, attrs, 0, &pair) != OK) return ERR;
#else
    if (setcchar(&cc, wstr, attrs, (short)pair, NULL) != OK) return ERR;
#endif
    return mvadd_wch(y, x, &cc);
}

// curscr is a global (a macro over the current screen in the reentrant build): clearok(curscr) forces a
// full repaint after the terminal was handed back to the shell (Ctrl-Z) or its contents are unknown.
static inline WINDOW *cnc_curscr(void) { return curscr; }

// Extended colour pairs (beyond 256 pairs) use the int-typed setter when the library has it.
static inline int cnc_init_pair(int pair, int fg, int bg) {
#if NCURSES_EXT_COLORS
    return init_extended_pair(pair, fg, bg);
#else
    return init_pair((short)pair, (short)fg, (short)bg);
#endif
}
#endif
