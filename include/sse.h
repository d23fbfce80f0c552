/*
 * libsse - Server-Sent Events (text/event-stream) for C.
 *
 * An incremental push parser that dispatches events exactly as a browser's
 * EventSource does (WHATWG HTML, "Server-sent events", 9.2), with bounded
 * memory and no hidden allocation; and an encoder that writes frames any
 * such parser reads back unchanged, without allocating.
 *
 * Minimal encoding (see "Encoder" below):
 *
 *     sse_frame f = {0};
 *     f.data = text;                        // split into data: lines
 *     f.data_len = strlen(text);
 *     char out[256];
 *     sse_ssize n = sse_encode(out, sizeof out, &f);
 *     if (n >= 0 && (size_t)n <= sizeof out)
 *         write(fd, out, (size_t)n);        // else: n < 0 refused, or
 *                                           // n bytes needed
 *
 * Minimal parsing:
 *
 *     static int on_event(sse_parser *p, const sse_event *ev, void *user) {
 *         printf("%.*s: %.*s\n", (int)ev->type_len, ev->type,
 *                (int)ev->data_len, ev->data);
 *         return 0;                         // or SSE_PAUSE to stop feeding
 *     }
 *
 *     char mem[64 * 1024];                  // all the memory it will use
 *     sse_callbacks cb;
 *     sse_callbacks_init(&cb);
 *     cb.on_event = on_event;
 *     sse_parser_options opt = {0};         // zero = documented defaults
 *     opt.buffer = mem;
 *     opt.buffer_size = sizeof mem;
 *     sse_parser p;
 *     sse_parser_init(&p, &cb, NULL, &opt);
 *     while ((n = read(fd, buf, sizeof buf)) > 0)
 *         sse_parser_feed(&p, buf, (size_t)n);
 *     sse_parser_finish(&p);
 *
 * Thread safety: a parser is used by one thread at a time; distinct parsers
 * share nothing (the library has no global state).
 *
 * Compile-time macros (define them before including this header; none is
 * needed for the ordinary library):
 *
 *   SSE_IMPLEMENTATION  single header (include/single/sse.h) only: define
 *                       it in exactly one C file to compile the library
 *                       there; everywhere else the header only declares.
 *   SSE_PRIVATE         with SSE_IMPLEMENTATION: every function is static
 *                       to that one file (a private copy; include the
 *                       header nowhere else).
 *   SSE_STATIC          you link the static library: no DLL import on
 *                       Windows. The CMake target sse::sse_static sets it.
 *   SSE_NO_SIMD         when compiling the library: the portable 8-byte
 *                       line-end scan instead of SSE2 on x86-64 (CMake:
 *                       -DSSE_NO_SIMD=ON defines it). Output is identical.
 */
#ifndef SSE_H
#define SSE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Version ---------------------------------------------------------- */

#define SSE_VERSION_MAJOR 0
#define SSE_VERSION_MINOR 1
#define SSE_VERSION_PATCH 0
#define SSE_VERSION_STRING "0.1.0"
/* 0xMMmmpp: compare with >= in preprocessor checks. */
#define SSE_VERSION_NUMBER \
    ((SSE_VERSION_MAJOR << 16) | (SSE_VERSION_MINOR << 8) | SSE_VERSION_PATCH)
/* Is this header at least version major.minor.patch? For #if:
 *     #if SSE_VERSION_AT_LEAST(0, 2, 0) ... #endif */
#define SSE_VERSION_AT_LEAST(major, minor, patch) \
    (SSE_VERSION_NUMBER >= (((major) << 16) | ((minor) << 8) | (patch)))

/* ---- Export ----------------------------------------------------------- *
 *
 * SSE_STATIC: you link the static library (no DLL import on Windows).
 * SSE_PRIVATE: single-header use only: every function is static to the
 *     file that defines SSE_IMPLEMENTATION (a private copy per file).
 */

#if defined(SSE_PRIVATE)
#if defined(__GNUC__)
#define SSE_API static __attribute__((unused))
#else
#define SSE_API static
#endif
#elif defined(SSE_STATIC)
#define SSE_API
#elif defined(_WIN32)
#if defined(SSE_BUILDING)
#define SSE_API __declspec(dllexport)
#else
#define SSE_API __declspec(dllimport)
#endif
#elif defined(__GNUC__) && __GNUC__ >= 4
#define SSE_API __attribute__((visibility("default")))
#else
#define SSE_API
#endif

/* Version of the library actually linked (may differ from the header). */
SSE_API unsigned sse_version(void);
SSE_API const char *sse_version_string(void);

/* ---- Status and error codes -------------------------------------------
 *
 * 0 is success, 1 (SSE_PAUSE) is a normal stop requested by a callback
 * (a callback returns SSE_PAUSE; sse_parser_status then says SSE_PAUSE),
 * negative values are errors. Numbers never change once released.
 * Recoverable errors (the *_TOO_* codes and SSE_E_NOMEM while parsing) are
 * reported through sse_callbacks.on_error for the event they hit; the
 * event is dropped (an over-long comment is dropped alone) and parsing
 * goes on. The others stick to the parser until
 * sse_parser_reset(). Codes from -20 on are the encoder's refusals: a frame
 * the receiver could not get back unchanged is refused whole.
 */
#define SSE_ERRNO_MAP(X)                                                      \
    X(0, OK, "success")                                                       \
    X(1, PAUSE, "paused by a callback")                                       \
    X(-1, E_INVALID_ARGUMENT, "invalid argument")                             \
    X(-2, E_VERSION, "sse.h and the linked library do not match")            \
    X(-3, E_NOMEM, "out of memory")                                           \
    X(-4, E_LINE_TOO_LONG, "line longer than the max_line limit")             \
    X(-5, E_EVENT_TOO_LARGE, "event data larger than the max_event limit")    \
    X(-6, E_FIELD_TOO_LONG,                                                   \
      "event type or id longer than the max_field limit")                     \
    X(-7, E_CALLBACK, "a callback returned an error")                         \
    X(-8, E_FINISHED, "parser already finished; reset it to parse again")  \
    X(-9, E_COMMENT_TOO_LONG,                                                 \
      "comment longer than the max_field limit")                              \
    X(-10, E_EVENT_UNFINISHED,                                                \
      "the stream ended before the event's blank line")                       \
    X(-20, E_TYPE_LINE_END, "event type contains CR or LF")                 \
    X(-21, E_ID_LINE_END, "id contains CR or LF")                           \
    X(-22, E_ID_NUL, "id contains NUL, which receivers ignore")             \
    X(-23, E_ID_SPACE,                                                        \
      "id starts or ends with a space or tab, which Last-Event-ID loses")     \
    X(-24, E_INVALID_UTF8, "text is not valid UTF-8")                         \
    X(-25, E_FRAME_TOO_LARGE, "encoded frame would exceed PTRDIFF_MAX bytes")\
    X(-30, E_HISTORY_TOO_SMALL, "frame larger than the whole history store")  \
    X(-31, E_EVICTED, "the frames this cursor needs were evicted from history")\
    X(-32, E_TOO_SLOW,                                                        \
      "the client fell too far behind; close it (it resumes on reconnect)")

typedef enum sse_status {
#define SSE__ENUM(num, name, text) SSE_##name = (num),
    SSE_ERRNO_MAP(SSE__ENUM)
#undef SSE__ENUM
} sse_status;

/* Static, human-readable description; "unknown error" for unknown codes. */
SSE_API const char *sse_strerror(int code);
/* Static name such as "SSE_E_LINE_TOO_LONG"; "SSE_E_UNKNOWN" if unknown. */
SSE_API const char *sse_errname(int code);

/* ---- UTF-8 helpers ------------------------------------------------------
 *
 * Both follow the WHATWG Encoding Standard's UTF-8 decoder: every maximal
 * subpart of an ill-formed sequence becomes one U+FFFD (EF BF BD), exactly as
 * a browser decodes bytes.
 */

/* Offset of the first byte that is not part of a complete, valid UTF-8
 * sequence; len when all of src is valid. src may be NULL when len is 0. */
SSE_API size_t sse_utf8_check(const char *src, size_t len);

/* Writes src to dst with invalid sequences replaced by U+FFFD. Like snprintf:
 * writes at most cap bytes (no terminator) and returns the length of the
 * whole result, so a return value > cap means dst holds a truncated copy.
 * dst may be NULL when cap is 0 (measuring). */
SSE_API size_t sse_utf8_replace(char *dst, size_t cap, const char *src,
                                size_t len);

/* ---- Parser ------------------------------------------------------------ */

typedef struct sse_parser sse_parser;

/* One dispatched event. Pointers are valid only during the callback: they
 * point into the bytes passed to sse_parser_feed (zero copy, when the event
 * lay whole in one fed chunk) or into the parser's buffer. Strings are not
 * NUL-terminated, and data may contain NUL bytes. */
typedef struct sse_event {
    const char *type; /* "message" when the stream named no type */
    size_t type_len;
    const char *data; /* data lines joined with LF, no trailing LF */
    size_t data_len;
    const char *id; /* the last event ID at dispatch ("" if none) */
    size_t id_len;
} sse_event;

/* Every callback returns 0 to continue, SSE_PAUSE to stop the parser after
 * the current step (sse_parser_feed returns early; feed the rest later), or
 * any other value to abort with SSE_E_CALLBACK. A NULL slot means "not
 * interested". */
typedef struct sse_callbacks {
    /* A blank line dispatched an event with a non-empty data buffer. */
    int (*on_event)(sse_parser *p, const sse_event *ev, void *user);
    /* A retry field held only ASCII digits and fits in 64 bits: the server's
     * reconnection time in milliseconds. */
    int (*on_retry)(sse_parser *p, uint64_t retry_ms, void *user);
    /* A comment line (":text"), without the colon and one leading space.
     * Costs buffering (max_field) when a comment spans fed chunks; leave NULL
     * and comments are skipped without being stored. A comment never costs
     * an event: comment lines have no max_line limit, and one longer than
     * max_field is skipped and reported as SSE_E_COMMENT_TOO_LONG. */
    int (*on_comment)(sse_parser *p, const char *text, size_t len, void *user);
    /* A recoverable error: code is SSE_E_LINE_TOO_LONG, SSE_E_EVENT_TOO_LARGE,
     * SSE_E_FIELD_TOO_LONG or SSE_E_NOMEM: the event being built is dropped
     * (reported once per event) and parsing resumes with the next event;
     * or SSE_E_COMMENT_TOO_LONG (only with on_comment): that comment alone
     * is skipped, reported each time. */
    int (*on_error)(sse_parser *p, int code, void *user);
    /* Streaming delivery, with SSE_PARSER_STREAM_DATA only (on_event is
     * then never called): an event's data is handed over in pieces as it
     * arrives and is never buffered, whatever its size.
     *
     * on_event_start: the event's first data line has begun.
     * on_data: the next piece of its data. The pieces, concatenated, are
     *   exactly the data on_event would get: data lines joined with LF,
     *   without the final LF the spec removes (the LF joining two lines
     *   is a piece of its own, given when the second line begins). Never
     *   an empty piece. piece points into the fed chunk or at static
     *   text, valid only during the call.
     * on_event_end: the event is over, at its blank line or at the end
     *   of the stream. status is SSE_OK when it dispatched (ev carries
     *   the type and the last event ID, which data lines may precede);
     *   negative when it is discarded, as the spec discards it: throw
     *   away what its pieces gave. Then status says why:
     *   SSE_E_EVENT_UNFINISHED (sse_parser_finish or sse_parser_reset
     *   came first), or the limit error that dropped it (reported through
     *   on_error when it happened; the end follows at the blank line).
     *   ev->data is NULL and ev->data_len the bytes the pieces held
     *   (SIZE_MAX if that does not fit in size_t).
     * Every on_event_start is followed by exactly one on_event_end, even
     * after a callback aborted the parser (sse_parser_finish and
     * sse_parser_reset deliver it); sse_parser_destroy calls nothing. */
    int (*on_event_start)(sse_parser *p, void *user);
    int (*on_data)(sse_parser *p, const char *piece, size_t len, void *user);
    int (*on_event_end)(sse_parser *p, const sse_event *ev, int status,
                        void *user);
    /* Room for a callback added in a later 0.x/1.x release: it must be
     * NULL (sse_callbacks_init or zero-initialisation does that), which
     * is how an older program says "not interested". */
    void (*reserved_[1])(void);
} sse_callbacks;

/* Sets every slot to NULL. Use it (or zero-initialise the struct). */
SSE_API void sse_callbacks_init(sse_callbacks *cb);

/* Memory hook with Lua's lua_Alloc contract: new_size == 0 frees ptr and
 * returns NULL; otherwise behaves like realloc (ptr NULL allocates) and
 * returns NULL on failure, leaving ptr untouched. */
typedef void *(*sse_alloc_fn)(void *ctx, void *ptr, size_t old_size,
                              size_t new_size);

/* Flags for sse_parser_options.flags. */
#define SSE_PARSER_UTF8_REPLACE 1u /* replace invalid UTF-8 in type, data,
                                      id and comments with U+FFFD, as a
                                      browser does; default: bytes pass
                                      through unchanged */
#define SSE_PARSER_STREAM_DATA 2u  /* streaming delivery: data in pieces
                                      through on_event_start, on_data and
                                      on_event_end, never buffered; data
                                      lines then have no max_line and
                                      events no max_event */

/* Default limits (used where an option is 0). */
#define SSE_DEFAULT_MAX_LINE ((size_t)4 << 20)  /* 4 MiB */
#define SSE_DEFAULT_MAX_EVENT ((size_t)4 << 20) /* 4 MiB */
#define SSE_DEFAULT_MAX_FIELD ((size_t)64 << 10) /* 64 KiB */

/* Options. Zero-initialise, then set what you need: a 0 limit means the
 * default above. Unknown flags are SSE_E_INVALID_ARGUMENT; fields added in
 * later releases are read only under flags added with them, so a program
 * built against this header keeps working with them. Memory comes from
 * exactly one of two places:
 *   - buffer/buffer_size: caller memory, the parser never allocates. The
 *     buffer is split once: four field slots of min(max_field,
 *     buffer_size / 8) bytes each (event type, last event ID, the id being
 *     read, a comment spanning chunks) and the rest for event data, so the
 *     effective limits are the smaller of the options and those sizes.
 *     With SSE_PARSER_STREAM_DATA no data is kept: the four slots get
 *     min(max_field, buffer_size / 4) bytes each.
 *   - alloc/alloc_ctx: buffers grow on demand up to the limits.
 * Giving both, or neither, is SSE_E_INVALID_ARGUMENT. */
typedef struct sse_parser_options {
    size_t max_line;  /* longest line in bytes, line end excluded (not
                         for comments, nor for data lines when streaming) */
    size_t max_event; /* event data bytes, one LF counted per data line
                         (ignored when streaming: nothing is kept) */
    size_t max_field; /* event type, one id, one comment */
    unsigned flags;   /* SSE_PARSER_UTF8_REPLACE, SSE_PARSER_STREAM_DATA */
    void *buffer;
    size_t buffer_size;
    sse_alloc_fn alloc;
    void *alloc_ctx;
} sse_parser_options;

/* sse_parser is a complete type, so it can live on the stack or inside
 * another struct (sizeof(sse_parser) is 248 bytes on x86-64); its fields
 * are private and its layout is at the end of this header. Use the
 * functions below. */


/* sizeof(sse_parser), for bindings that allocate it themselves. */
SSE_API size_t sse_parser_size(void);

/* Prepares p. callbacks and the options' buffer must outlive the parser
 * (callbacks is kept by pointer; options is copied). user is passed to every
 * callback. Returns SSE_OK, SSE_E_INVALID_ARGUMENT (NULL p/callbacks/options,
 * unknown flags, no memory or two kinds of memory given) or SSE_E_VERSION
 * (header and library disagree on sse_parser's layout). Allocates nothing. */
#define sse_parser_init(p, callbacks, user, options)                          \
    sse_parser_init_((p), (callbacks), (user), (options), SSE_VERSION_NUMBER, \
                     sizeof(sse_parser))
SSE_API int sse_parser_init_(sse_parser *p, const sse_callbacks *callbacks,
                             void *user, const sse_parser_options *options,
                             unsigned header_version, size_t parser_size);

/* Releases memory obtained through options.alloc. p may then be initialised
 * again. Safe on a parser whose init failed. */
SSE_API void sse_parser_destroy(sse_parser *p);

/* Parses len more bytes of the stream; any split of the stream gives the same
 * callbacks in the same order. Returns the number of bytes consumed: len,
 * unless a callback paused the parser (sse_parser_status() == SSE_PAUSE:
 * call again with buf + ret to resume) or a sticky error occurred (status
 * < 0; further calls consume nothing). The returned count includes the byte
 * that completed the paused step. buf may be NULL when len is 0. Recoverable
 * errors (limits) do not stop feeding; see on_error. */
SSE_API size_t sse_parser_feed(sse_parser *p, const char *buf, size_t len);

/* Ends the stream. An event without its final blank line is discarded, as
 * the spec requires. Returns the parser status (SSE_OK unless a sticky error
 * occurred). Feeding afterwards fails with SSE_E_FINISHED. */
SSE_API int sse_parser_finish(sse_parser *p);

/* Prepares p for a new connection of the same EventSource: forgets any
 * half-read event, the stream position, the finished state and sticky
 * errors, and re-arms BOM detection; keeps callbacks, user pointer, memory,
 * the last event ID (for the Last-Event-ID request header) and the retry
 * time. */
SSE_API void sse_parser_reset(sse_parser *p);

/* SSE_OK, SSE_PAUSE, or the sticky error code. */
SSE_API int sse_parser_status(const sse_parser *p);

/* A static explanation of the last status or recoverable error. */
SSE_API const char *sse_parser_error_reason(const sse_parser *p);

/* Lets a callback explain why it aborts; text must be static. */
SSE_API void sse_parser_set_error_reason(sse_parser *p, const char *text);

/* Bytes of the stream consumed so far, counted from the last init/reset.
 * Inside a callback: the offset just past the byte that triggered it. */
SSE_API uint64_t sse_parser_offset(const sse_parser *p);

/* The last event ID string as committed by the last blank line (what
 * Last-Event-ID should carry on reconnect); *len receives its length. Valid
 * until the next feed/reset/set call. Never NULL. */
SSE_API const char *sse_parser_last_event_id(const sse_parser *p, size_t *len);

/* Restores a last event ID (e.g. saved across a restart). Returns
 * SSE_E_FIELD_TOO_LONG if it exceeds the field limit, SSE_E_INVALID_ARGUMENT
 * if it contains NUL (the stream could never have set it). */
SSE_API int sse_parser_set_last_event_id(sse_parser *p, const char *id,
                                         size_t len);

/* 1 and *retry_ms set if the stream has sent a valid retry field, else 0. */
SSE_API int sse_parser_retry(const sse_parser *p, uint64_t *retry_ms);

/* The limits in force (any pointer may be NULL): the options with their
 * defaults filled in and, with a caller buffer, max_event and max_field
 * cut to what fits in it. What on_error's SSE_E_*_TOO_* codes refer to.
 * max_event is SIZE_MAX under SSE_PARSER_STREAM_DATA (no data is kept).
 * All three are 0 for a parser that is not initialised. */
SSE_API void sse_parser_limits(const sse_parser *p, size_t *max_line,
                               size_t *max_event, size_t *max_field);

/* ---- Encoder -----------------------------------------------------------
 *
 * Turns one frame (comment, retry, event type, id, data) into
 * text/event-stream bytes that any conforming receiver, including a
 * browser's EventSource, parses back unchanged: data line ends (CRLF, CR, LF)
 * come back as LF. Nothing is allocated. Every call validates the whole frame
 * first; a frame that cannot be represented is refused with a distinct
 * negative code and nothing is written. Three front ends share one encoder:
 * a buffer (sse_encode), an iovec array pointing into the caller's data
 * (sse_encode_iov) and a write callback (sse_encode_to).
 *
 * Lines are written in this order, each ending in LF, and a non-empty frame
 * ends with a blank line:
 *     : comment line             one per comment line
 *     :<spaces>                  padding
 *     retry: <retry_ms>
 *     event: <type>
 *     id: <id>
 *     data: <line>               one per data line
 *     (blank line)
 * A value starting with a space keeps it (one space always separates the
 * colon from a non-empty value, and receivers remove exactly one).
 */

/* Signed size: a byte or entry count, or a negative sse_status code. */
typedef ptrdiff_t sse_ssize;

/* Flags for sse_frame.flags. */
#define SSE_FRAME_RETRY 1u      /* write retry_ms as a retry field */
#define SSE_FRAME_CHECK_UTF8 2u /* refuse type, id, data or comment text that
                                   is not valid UTF-8 (SSE_E_INVALID_UTF8),
                                   since a browser would replace it with
                                   U+FFFD; default: bytes pass unchanged */

/* One frame. Zero-initialise, then set what you need; an all-zero frame
 * encodes to nothing. As with sse_parser_options, fields added in later
 * releases are read only under new flags (unknown flags are refused). A
 * NULL pointer means "no such field"; a non-NULL pointer with length 0 is
 * an empty value. */
typedef struct sse_frame {
    /* Event data, split on CRLF, CR and LF into one data line each. The
     * receiver dispatches an event only for a frame with data; "" (non-NULL,
     * length 0) dispatches an empty message. May contain NUL. */
    const char *data;
    size_t data_len;
    /* Event type. NULL or empty writes no event line: the receiver reports
     * "message". CR or LF is refused (SSE_E_TYPE_LINE_END). */
    const char *type;
    size_t type_len;
    /* Event ID: the receiver's last event ID from this frame on, sent back in
     * Last-Event-ID on reconnect; "" clears it. Refused: CR or LF
     * (SSE_E_ID_LINE_END), NUL (SSE_E_ID_NUL), a leading or trailing space
     * or tab (SSE_E_ID_SPACE: HTTP strips those from header values). */
    const char *id;
    size_t id_len;
    /* Comment text, split into one comment line per line like data; "" is
     * a bare ":" line, the classic heartbeat. Receivers ignore comments. */
    const char *comment;
    size_t comment_len;
    /* Reconnection time in milliseconds, written when flags has
     * SSE_FRAME_RETRY. */
    uint64_t retry_ms;
    /* Bytes of padding: one comment line of exactly max(padding, 2) bytes
     * (':', spaces, LF), for proxies that hold back the first KiBs of a
     * response. 0: none. */
    size_t padding;
    unsigned flags; /* SSE_FRAME_* */
} sse_frame;

/* Encodes f into dst, snprintf-style: returns the size of the whole frame
 * in bytes, and writes it only if it fits in cap (no NUL terminator). A
 * return value > cap means nothing was written: provide that many bytes and
 * call again. dst may be NULL when cap is 0 (measuring). Negative returns:
 * SSE_E_INVALID_ARGUMENT (NULL f, a NULL pointer with a non-zero length,
 * unknown flags), the refusal codes above, SSE_E_FRAME_TOO_LARGE; dst is
 * then untouched too. With cap >= sse_encode_bound(f) the data is scanned
 * once; with less, once to measure and once to write. */
SSE_API sse_ssize sse_encode(char *dst, size_t cap, const sse_frame *f);

/* An upper bound on sse_encode's result for any frame with f's lengths,
 * computed from the lengths alone (O(1)); SIZE_MAX if it overflows. */
SSE_API size_t sse_encode_bound(const sse_frame *f);

/* A piece of output. Same members as POSIX struct iovec, but copy them over
 * field by field (see docs/guide.md) rather than cast. */
typedef struct sse_iov {
    const void *base;
    size_t len;
} sse_iov;

/* Zero-copy form: fills iov with pieces that point into f's strings and into
 * static framing text, so nothing is copied; write them with writev() while
 * f's strings are still alive. Returns the number of entries the frame
 * needs and fills iov only if that is <= n (so n == 0, iov NULL measures).
 * Same errors as sse_encode, with iov untouched. The pieces hold exactly the
 * bytes sse_encode writes. A frame needs about 2 entries per data line and 7
 * more for the other fields. */
SSE_API sse_ssize sse_encode_iov(sse_iov *iov, size_t n, const sse_frame *f);

/* Receives encoded output; a non-zero return stops encoding. */
typedef int (*sse_write_fn)(void *user, const char *buf, size_t len);

/* Streams f to write in pieces (one call per piece, no copy) and returns the
 * total bytes. The frame is validated first, so a refused frame makes no
 * call at all. If write returns non-zero, encoding stops at once and
 * SSE_E_CALLBACK is returned: the receiver then holds part of a frame, and
 * the connection should be closed. */
SSE_API sse_ssize sse_encode_to(sse_write_fn write, void *user,
                                const sse_frame *f);

/* ---- Encoder, data in pieces -------------------------------------------
 *
 * For an event whose data comes in pieces (read from a file or a pipe)
 * and is never held whole: sse_encode_begin writes the frame's other
 * fields, sse_encode_data each piece of data, sse_encode_end the rest.
 * Together they write byte for byte what sse_encode writes for the same
 * frame with the pieces, joined, as its data: data is split into lines
 * the same way across pieces (a CR ending one piece and an LF starting
 * the next are one line break), and refused the same way.
 *
 * Each call has sse_encode's contract: it returns the bytes it needs and
 * writes them only if they fit in cap; otherwise nothing is written and
 * the encoder stays where it was (call again with more room; dst may be
 * NULL when cap is 0). A piece of len bytes never needs more than
 * SSE_ENCODE_DATA_BOUND(len), the end never more than
 * SSE_ENCODE_END_BOUND: a buffer that size never has to be retried.
 * Refusals (negative returns) write nothing and change nothing.
 *
 * The data can only be refused under SSE_FRAME_CHECK_UTF8: a piece with
 * an ill-formed sequence (SSE_E_INVALID_UTF8; pass valid bytes instead,
 * or close the connection), or an end inside a sequence. Since a refused
 * end writes nothing, the receiver never dispatches such an event.
 * Nothing is allocated; an sse_encoder is a small value on the stack. */

typedef struct sse_encoder sse_encoder;

/* The most bytes sse_encode_data writes for a piece of len bytes (a line
 * break can make an empty line, "\ndata:", and a byte can start a line,
 * "\ndata: " and itself), and the most sse_encode_end writes. */
#define SSE_ENCODE_DATA_BOUND(len) (6 * (size_t)(len) + 2)
#define SSE_ENCODE_END_BOUND 8

/* Starts a frame: writes f's comment, padding, retry, type and id as
 * sse_encode would (validated and refused the same way). f->data must be
 * NULL: the data comes through sse_encode_data. Returns bytes as
 * sse_encode does; e is ready for data only once they were written. */
SSE_API sse_ssize sse_encode_begin(sse_encoder *e, char *dst, size_t cap,
                                   const sse_frame *f);

/* The next len bytes of the data (data may be NULL when len is 0).
 * SSE_E_INVALID_ARGUMENT when e has no frame begun. */
SSE_API sse_ssize sse_encode_data(sse_encoder *e, char *dst, size_t cap,
                                  const char *data, size_t len);

/* Ends the frame: its last data line and the blank line that dispatches
 * it (no piece at all is empty data: "data:" alone, an empty message).
 * e can then begin the next frame. */
SSE_API sse_ssize sse_encode_end(sse_encoder *e, char *dst, size_t cap);

/* ---- Server helpers ---------------------------------------------------- */

/* The response headers an event stream should carry, as one HTTP/1.1 block
 * (each line ends in CRLF): the media type, no caching, and no buffering by
 * nginx-style proxies. */
#define SSE_RESPONSE_HEADERS                                                  \
    "Content-Type: text/event-stream\r\n"                                     \
    "Cache-Control: no-cache\r\n"                                             \
    "X-Accel-Buffering: no\r\n"

typedef struct sse_header {
    const char *name;
    const char *value;
} sse_header;

/* The same headers as name/value pairs for HTTP libraries that take them
 * separately; *count receives the number of entries (count may be NULL; the
 * array also ends with a {NULL, NULL} entry). Static. */
SSE_API const sse_header *sse_response_headers(size_t *count);

/* Reads a Last-Event-ID request header value (pass NULL/0 when the request
 * has none). Surrounding spaces and tabs are dropped, as HTTP does; on
 * success *id and *id_len give the ID inside value (empty when there is no
 * ID) and SSE_OK is returned. Fails, with *id = "" and *id_len = 0, on NUL
 * (SSE_E_ID_NUL) or CR/LF (SSE_E_ID_LINE_END), which no browser sends, and
 * on an ID longer than max_len (SSE_E_FIELD_TOO_LONG; 0 means
 * SSE_DEFAULT_MAX_FIELD), so a hostile header cannot make a server look up
 * megabytes. */
SSE_API int sse_last_event_id_read(const char *value, size_t len,
                                   size_t max_len, const char **id,
                                   size_t *id_len);

/* The client's side of the same header: writes "Last-Event-ID: <id>" and
 * a NUL into buf when the parser has a last event ID, and returns its
 * length without the NUL. Returns 0 (and writes "" if cap > 0) when there
 * is none: send no such header. If the line needs cap bytes or more,
 * writes nothing and returns the length, as snprintf does. p may be NULL
 * (no ID). */
SSE_API size_t sse_last_event_id_write(const sse_parser *p, char *buf,
                                       size_t cap);

/* ---- History: resuming a client after a reconnect -----------------------
 *
 * A fixed-memory store of recently sent frames (each with its event ID),
 * filled by the server as it publishes, so that a client reconnecting with
 * Last-Event-ID gets exactly the frames it missed. Memory is one caller
 * buffer, used as a ring: the oldest frames are evicted first, to make room
 * or to stay under a frame count. Nothing is allocated.
 *
 * IDs are the server's own and are matched byte for byte; the store keeps
 * publishing order, and an ID that occurs more than once matches its newest
 * frame. (Any scheme works: counters, timestamps, UUIDs.)
 *
 * Cursors walk the frames in publishing order: a server can send every
 * client its frames straight from the store, and a client that falls so far
 * behind that its next frame was evicted gets SSE_E_EVICTED - disconnect
 * it; it reconnects with Last-Event-ID and resumes, or resynchronises.
 */

/* Where a client stands: the next frame it should get (a small value
 * type: copy it freely). */
typedef struct sse_history_cursor sse_history_cursor;

/* The store: a complete type (layout at the end of this header). */
typedef struct sse_history sse_history;

/* Lookup outcomes (sse_history_find). The values are apart from every
 * status code (sse_history_find may also return SSE_E_INVALID_ARGUMENT). */
typedef enum sse_history_lookup {
    SSE_HISTORY_RESUME = 100, /* the ID is stored and frames followed it:
                                 the cursor points at the first to send */
    SSE_HISTORY_CURRENT,      /* the ID is the newest frame's: the client is
                                 up to date (the cursor waits for the next) */
    SSE_HISTORY_UNKNOWN       /* never stored, already evicted, or empty:
                                 the client must resynchronise (e.g. a
                                 documented resync event, then live) */
} sse_history_lookup;

/* Bytes of bookkeeping per stored frame: a frame costs its own bytes, its
 * ID's bytes and this. A store for N frames of at most F bytes with IDs of
 * at most I bytes needs N * (SSE_HISTORY_FRAME_OVERHEAD + I + F) bytes. */
#define SSE_HISTORY_FRAME_OVERHEAD 24

/* Prepares h on mem (mem_size bytes, kept by pointer). max_frames bounds
 * the frame count as well (0: bytes only). Each frame costs its bytes, its
 * ID's bytes and SSE_HISTORY_FRAME_OVERHEAD bytes of bookkeeping.
 * SSE_E_INVALID_ARGUMENT for NULL h or mem, or mem_size under 64. */
SSE_API int sse_history_init(sse_history *h, void *mem, size_t mem_size,
                             size_t max_frames);

/* Stores a copy of one encoded frame (typically sse_encode's output) with
 * the event ID it carries, evicting the oldest frames as needed. Returns
 * SSE_OK, SSE_E_INVALID_ARGUMENT, or SSE_E_HISTORY_TOO_SMALL when the frame
 * could not fit even in an empty store (nothing is evicted then). */
SSE_API int sse_history_add(sse_history *h, const char *id, size_t id_len,
                            const char *frame, size_t frame_len);

/* Looks up a client's last event ID (as sse_last_event_id_read gives it).
 * Returns an SSE_HISTORY_* outcome and sets *c for RESUME and CURRENT;
 * SSE_E_INVALID_ARGUMENT for NULL h or c. */
SSE_API int sse_history_find(const sse_history *h, const char *id,
                             size_t id_len, sse_history_cursor *c);

/* A cursor at the next frame to be added: for a client starting live. */
SSE_API void sse_history_now(const sse_history *h, sse_history_cursor *c);

/* A cursor at the oldest frame stored: to replay everything kept. */
SSE_API void sse_history_oldest(const sse_history *h, sse_history_cursor *c);

/* The frame at *c: returns 1 and sets *frame / *len (valid until the next
 * sse_history_add) and advances *c; 0 when the client is up to date;
 * SSE_E_EVICTED when that frame is gone (the client fell behind). id and
 * id_len may be NULL; otherwise they receive the frame's event ID. Constant
 * time, however many frames were added since the cursor last moved. */
SSE_API int sse_history_next(const sse_history *h, sse_history_cursor *c,
                             const char **frame, size_t *len,
                             const char **id, size_t *id_len);

/* Frames stored now. */
SSE_API size_t sse_history_count(const sse_history *h);

/* ---- Stream: one client of a server -------------------------------------
 *
 * What a server does for each connected client, as a policy object with no
 * I/O, no clock and no allocation: it decides where the client starts
 * (resume, resync or live), hands the caller's transport the next bytes as
 * pieces pointing into the history (nothing is copied), takes back how many
 * were written (partial writes are fine), schedules heartbeats from the
 * clock the caller passes, and says when a client has fallen so far behind
 * that it must be closed. Per client it costs sizeof(sse_stream) and
 * whatever the transport queues; the frames themselves live once, in the
 * history.
 *
 *   request:   sse_stream_headers, then sse_stream_open with the
 *              Last-Event-ID value (HEAD: the headers, no stream)
 *   writable, after each publish, and when the heartbeat is due:
 *              sse_stream_pending -> write the pieces -> sse_stream_sent
 *              (or sse_stream_copy, for transports that give a buffer)
 *              a negative result: close the connection
 *   idle:      wake up at sse_stream_heartbeat_due
 *
 * The bytes a stream sends, in order:
 *   1. opening: one frame of a padding comment (options.padding) and
 *      "retry: MS" (options.retry_ms), then, for an unknown ID under
 *      SSE_STREAM_RESYNC, SSE_STREAM_RESYNC_EVENT;
 *   2. the frames from the history, from where sse_stream_open put the
 *      client, whole and in order, with SSE_STREAM_HEARTBEAT between
 *      frames when nothing was sent for options.heartbeat_ms.
 *
 * Falling behind. A client is told to close (SSE_E_TOO_SLOW) while the
 * last frame it got is still in the history, so that its reconnect resumes
 * with nothing lost: when that frame drifts into the oldest quarter of the
 * stored frames (which only happens as the store evicts). A client that
 * starts further back - it resumed an old ID, replays, or its last frame
 * was evicted - may lose half of the distance it had from the oldest
 * frame, until it is back in the newer half of the store, so that catching
 * up in bursts is not taken for falling behind. With options.max_lag, a
 * client is also closed when more than max_lag frames wait for it (or
 * more than waited when it started, while that shrinks). If the frame it
 * needs next is evicted anyway (one large publish can evict many frames),
 * it gets SSE_E_EVICTED: close it; its reconnect gets the unknown-ID
 * policy. A frame is never torn: one evicted while partly written also
 * gives SSE_E_EVICTED, and the receiver drops an event cut short, as the
 * spec requires.
 *
 * Threads. sse_history_add changes the store; every other history and
 * stream function only reads it (streams change only themselves). So a
 * history may be read by any number of threads at once, but never while
 * sse_history_add runs: guard it with a readers-writer lock, taken
 * exclusively to publish and shared around sse_stream_open and around
 * each sse_stream_pending ... sse_stream_sent pair (the pieces point into
 * the store, so write them, or copy them out with sse_stream_copy, before
 * releasing the lock). One stream is used by one thread at a time. A
 * single-threaded event loop needs no lock. examples/mhd_server.c shows
 * the threaded case, examples/evhttp_server.c the event loop.
 */

/* The comment sent on an idle stream, so proxies and NATs keep it open. */
#define SSE_STREAM_HEARTBEAT ": heartbeat\n\n"
/* The event an unknown Last-Event-ID gets under SSE_STREAM_RESYNC: events
 * were lost and the client should start over (reload its state). The
 * newest stored frame follows it, so the client's last event ID is known
 * to the history again from there on. */
#define SSE_STREAM_RESYNC_EVENT "event: resync\ndata\n\n"
/* The largest options.padding. */
#define SSE_STREAM_MAX_PADDING 65536
/* The default options.max_id. */
#define SSE_STREAM_DEFAULT_MAX_ID 256
/* Room sse_stream_headers may need. */
#define SSE_STREAM_MAX_HEADERS 6

/* What a Last-Event-ID the history does not hold gets (options.on_unknown).
 * An ID that is malformed (NUL, CR, LF) or longer than options.max_id is
 * unknown too. */
typedef enum sse_stream_unknown {
    SSE_STREAM_RESYNC = 0, /* SSE_STREAM_RESYNC_EVENT, the newest stored
                              frame, then live (the default) */
    SSE_STREAM_REPLAY,     /* every frame still stored, then live */
    SSE_STREAM_LIVE        /* live, as if it had sent no ID */
} sse_stream_unknown;

/* Where sse_stream_open put the client. The values are apart from every
 * status code. */
typedef enum sse_stream_start {
    SSE_STREAM_NEW = 300, /* no Last-Event-ID (or an empty one): live */
    SSE_STREAM_RESUMED,   /* the ID is stored: the frames after it follow */
    SSE_STREAM_CURRENT,   /* the ID is the newest frame's: live */
    SSE_STREAM_UNKNOWN    /* not stored (never, evicted, malformed, too
                             long): options.on_unknown applies */
} sse_stream_start;

typedef struct sse_stream_options {
    uint64_t retry_ms;     /* sent first, so clients reconnect after this
                              long (0: no retry line) */
    uint64_t heartbeat_ms; /* SSE_STREAM_HEARTBEAT after this long with
                              nothing sent (0: never) */
    size_t padding;        /* a comment line of this many bytes (at least
                              2) opening the stream, for proxies that hold
                              back the first KiBs, as sse_frame.padding
                              writes it (0: none; at most
                              SSE_STREAM_MAX_PADDING) */
    size_t max_lag;        /* close a client more than this many frames
                              behind (0: only the history rule above) */
    size_t max_id;         /* longest Last-Event-ID looked up
                              (0: SSE_STREAM_DEFAULT_MAX_ID) */
    int on_unknown;        /* sse_stream_unknown */
    const char *allow_origin; /* CORS: the one origin (scheme://host:port)
                                 whose pages may read the stream, with
                                 credentials; "*" for any page, without
                                 credentials; NULL: same origin only */
    unsigned flags;        /* none defined yet: must be 0 */
} sse_stream_options;

/* The state: a complete type (layout at the end of this header). */
typedef struct sse_stream sse_stream;

/* The response headers for a request whose Origin header is origin
 * (NULL when it has none): those of sse_response_headers and, when
 * opt->allow_origin is "*" or equals origin byte for byte,
 * Access-Control-Allow-Origin (plus Access-Control-Allow-Credentials: true
 * for a named origin); a named allow_origin also adds Vary: Origin, match
 * or not. Writes them into out and
 * returns their number, at most SSE_STREAM_MAX_HEADERS; if that is more
 * than cap, writes nothing and returns the number needed. Names and values
 * are static or point into opt->allow_origin. opt may be NULL. */
SSE_API size_t sse_stream_headers(const sse_stream_options *opt,
                                  const char *origin, size_t origin_len,
                                  sse_header *out, size_t cap);

/* Starts a stream for a client whose request carried last_event_id (the
 * raw Last-Event-ID value, len bytes; NULL when there was none), at time
 * now_ms on any clock that never goes back. opt may be NULL (defaults);
 * it is copied. Returns an sse_stream_start value, or
 * SSE_E_INVALID_ARGUMENT (NULL s or h, unknown flags or on_unknown,
 * padding over the maximum). */
SSE_API int sse_stream_open(sse_stream *s, const sse_history *h,
                            const sse_stream_options *opt,
                            const char *last_event_id, size_t len,
                            uint64_t now_ms);

/* The next bytes to send, as up to iovcnt pieces of at most max_bytes in
 * all: the rest of the opening, a heartbeat if one is due at now_ms, then
 * frames from h. Returns the number of pieces (0: nothing to send now;
 * wait for a publish or the heartbeat), or, when the client must be
 * closed, SSE_E_TOO_SLOW or SSE_E_EVICTED (see "Falling behind"; the
 * stream then keeps returning it). The pieces stay valid until the next
 * sse_history_add. Call it after every publish for every client, with
 * max_bytes 0 for one whose transport is full, so that a client that
 * stopped reading is told to close in time. */
SSE_API sse_ssize sse_stream_pending(sse_stream *s, const sse_history *h,
                                     uint64_t now_ms, size_t max_bytes,
                                     sse_iov *iov, size_t iovcnt);

/* n bytes of what sse_stream_pending gave were written (or queued by the
 * transport) at now_ms; h must not have had a frame added in between.
 * Returns SSE_OK, SSE_E_INVALID_ARGUMENT (more than was pending), or
 * SSE_E_EVICTED (frames went away in between). */
SSE_API int sse_stream_sent(sse_stream *s, const sse_history *h, size_t n,
                            uint64_t now_ms);

/* sse_stream_pending, a copy of the pieces into buf (at most cap bytes)
 * and sse_stream_sent in one call, for transports that give a buffer to
 * fill. Returns the number of bytes copied (0: nothing to send now) or a
 * close code as sse_stream_pending does; bytes copied before the stream
 * closed are returned first (send them), the close code on the next
 * call. */
SSE_API sse_ssize sse_stream_copy(sse_stream *s, const sse_history *h,
                                  uint64_t now_ms, char *buf, size_t cap);

/* Frames (history frames, not the opening or heartbeats) written whole on
 * this stream since it was opened: for statistics, or to act after each
 * event. 0 for NULL. */
SSE_API uint64_t sse_stream_frames_sent(const sse_stream *s);

/* When the next heartbeat is due, on the caller's clock: the last time
 * bytes were sent plus heartbeat_ms. UINT64_MAX when heartbeats are off or
 * the stream is closed. */
SSE_API uint64_t sse_stream_heartbeat_due(const sse_stream *s);

/* ---- Client: what EventSource does between connections -----------------
 *
 * A policy object with no I/O and no allocation: the caller's transport
 * (libcurl, sockets, anything) reports what happened, and the helper says
 * what to do next, as a browser's EventSource would - plus backoff.
 *
 *   connect, sending SSE_REQUEST_HEADERS and sse_last_event_id_write
 *   response:  sse_client_check_response -> STREAM, or STOP / FAIL: give up
 *   each event dispatched:  sse_client_mark_healthy
 *   connection over (error, end of body, idle timeout, refused):
 *              sse_client_next_attempt -> RECONNECT after *delay_ms, or give up
 *
 * The last event ID and the server's retry are read from the parser, which
 * keeps both across sse_parser_reset exactly as the spec commits them (an
 * id-only frame counts too), so there is one copy of each.
 *
 * Delays: the server's retry (or initial_retry_ms until it sends one) after
 * a healthy connection - one that delivered an event - exactly as a
 * browser waits. After an attempt that delivered nothing (refused, reset,
 * closed at once), the delay doubles per attempt, up to max_delay_ms, with
 * "equal jitter": a uniformly random value in [d/2, d], never below the
 * retry, so that many clients dropped together do not return together.
 */

/* Request headers of an event stream (HTTP/1.1 lines, each ending CRLF). */
#define SSE_REQUEST_HEADERS                                                   \
    "Accept: text/event-stream\r\n"                                           \
    "Cache-Control: no-cache\r\n"

/* The same as name/value pairs ({NULL, NULL}-terminated; count may be
 * NULL). Static. */
SSE_API const sse_header *sse_request_headers(size_t *count);


typedef struct sse_client_options {
    uint64_t initial_retry_ms; /* before the server sends retry (0: 3000) */
    uint64_t max_delay_ms;     /* backoff cap (0: 60000); a server retry
                                  above it still wins */
    uint64_t seed;             /* jitter source; give each client its own
                                  (e.g. from time and pid); tests fix it */
    unsigned flags;            /* none defined yet: must be 0 */
} sse_client_options;

/* The state: a complete type (layout at the end of this header). */
typedef struct sse_client sse_client;

/* What the client does next. The values are apart from every status code
 * (functions that return one of these may also return SSE_E_*). */
typedef enum sse_client_step {
    SSE_CLIENT_STREAM = 200, /* 200 and text/event-stream: read the body */
    SSE_CLIENT_RECONNECT,    /* wait *delay_ms, then connect again */
    SSE_CLIENT_STOP,         /* 204 No Content: the server says stop */
    SSE_CLIENT_FAIL          /* any other status or media type: the spec
                                fails the connection for good */
} sse_client_step;

/* opt may be NULL (all defaults). SSE_E_INVALID_ARGUMENT for NULL c or
 * unknown flags. */
SSE_API int sse_client_init(sse_client *c, const sse_client_options *opt);

/* The response to a connection attempt (after redirects): its status code
 * and Content-Type value (may be NULL). Returns SSE_CLIENT_STREAM, STOP or
 * FAIL. The media type is compared without case, with parameters allowed
 * ("text/event-stream; charset=utf-8"). */
SSE_API int sse_client_check_response(sse_client *c, int status,
                                      const char *content_type, size_t len);

/* An event was dispatched on the current connection. */
SSE_API void sse_client_mark_healthy(sse_client *c);

/* The connection ended or could not be made. Returns SSE_CLIENT_RECONNECT
 * and sets *delay_ms, or SSE_CLIENT_STOP / SSE_CLIENT_FAIL (*delay_ms = 0)
 * when the last response said so. p supplies the server's retry (may be
 * NULL). */
SSE_API int sse_client_next_attempt(sse_client *c, const sse_parser *p,
                                    uint64_t *delay_ms);

/* Attempts in a row that delivered no event (0 after a healthy one). */
SSE_API unsigned sse_client_failures(const sse_client *c);

/* ======================================================================
 * Private: the layout of the structs you embed
 *
 * They are complete types so that callers can place them on the stack or
 * inside their own structs, and nothing has to be allocated. Nothing
 * below is API: use the functions above. Names end in an underscore.
 *
 * ABI: the size and alignment of sse_parser (that of uint64_t or a
 * pointer, whichever is larger) are part of the ABI. reserved_ lets later
 * releases add state without changing the size; a change of size changes
 * the SONAME. A program built with a header whose sse_parser differs from
 * the library's gets SSE_E_VERSION from sse_parser_init, never a corrupted
 * struct. Bindings that allocate it themselves use sse_parser_size() and
 * align the memory like max_align_t.
 * ====================================================================== */

/* Incremental WHATWG UTF-8 decoder state (SSE_PARSER_UTF8_REPLACE). */
struct sse__utf8 {
    unsigned char need, seen;   /* continuation bytes needed, seen */
    unsigned char lower, upper; /* the range allowed for the next one */
    unsigned char held;         /* bytes of an unfinished sequence kept */
    unsigned char pend[3];      /* ... here, across feeds */
};

struct sse_parser {
    const sse_callbacks *callbacks_;
    void *user_;
    sse_alloc_fn alloc_;            /* NULL: memory is the caller's buffer */
    void *alloc_ctx_;
    const char *error_reason_;      /* text for the sticky error, if set */
    char *data_;                    /* the event's data buffer */
    size_t data_len_, data_cap_, data_limit_;
    const char *in_place_;          /* a single data line still inside the
                                       fed chunk, not yet copied */
    size_t in_place_len_;           /* its length; when streaming, the
                                       bytes delivered of the event */
    char *slots_;                   /* four field slots of slot_cap_ bytes:
                                       type, committed id, pending id, and
                                       the value being read */
    size_t slot_cap_, field_limit_;
    size_t slot_len_[4];
    size_t max_line_, line_len_;    /* the limit; bytes of this line */
    uint64_t retry_;                /* the retry the stream last set */
    uint64_t retry_reading_;        /* the retry value being read */
    uint64_t stream_offset_;        /* bytes consumed since init/reset */
    int status_;                    /* SSE_OK, SSE_PAUSE or a sticky error */
    unsigned flags_;                /* sse_parser_options.flags */
    struct sse__utf8 utf8_;
    unsigned char state_;           /* where in a line: start, name, ... */
    unsigned char field_;           /* what the value feeds: data, id, ... */
    unsigned char name_len_;
    unsigned char bom_seen_;        /* bytes of a leading BOM matched */
    unsigned char committed_id_slot_; /* the last event ID (dispatched) */
    unsigned char pending_id_slot_;   /* the id read since the last blank
                                         line (committed at the next) */
    unsigned char type_slot_;         /* the event type being built */
    unsigned char value_slot_;        /* the id or comment being read */
    unsigned char bits_;            /* SSE__M_* flags (src/sse_internal.h) */
    unsigned char pending_error_;   /* a limit error the line may still
                                       cancel (an id that turns out to
                                       hold NUL), as -code */
    char name_[5];                  /* the field name read so far */
    unsigned char scan_;            /* how line ends are found: the widest
                                       way this CPU has (src/sse_scan.h) */
    unsigned char stream_;          /* streaming delivery: SSE__S_* flags
                                       and the code that dropped the event */
    void *reserved_[3];             /* stream_ took the room of a fourth */
};

struct sse_encoder {
    struct sse__utf8 utf8_; /* SSE_FRAME_CHECK_UTF8: the data checked so
                               far, perhaps inside a sequence */
    unsigned flags_;        /* the frame's flags */
    unsigned char phase_;   /* 1 between begin and end, else 0 */
    unsigned char written_; /* the frame has bytes: the next line's prefix
                               begins with the LF ending the last line */
    unsigned char open_;    /* the current data line's prefix is written */
    unsigned char cr_;      /* the last piece ended in CR: an LF first in
                               the next is the same line break */
    void *reserved_[2];
};

struct sse_history_cursor {
    uint64_t seq_; /* sequence number of the next frame to send */
    size_t at_;    /* its offset in the store (or, before it is added,
                      the tail it will be written at unless it wraps) */
};

struct sse_history {
    char *mem_;
    size_t cap_;                /* bytes of mem_ */
    size_t head_, tail_, wrap_; /* records in [head, tail), or in [head,
                                   wrap) then [0, tail) once wrapped */
    size_t last_;               /* offset of the newest record */
    size_t count_, max_count_;
    uint64_t first_seq_, next_seq_;
    int wrapped_;
};

struct sse_stream {
    sse_history_cursor cursor_; /* the next frame, or the one partly sent */
    uint64_t retry_ms_, heartbeat_ms_;
    uint64_t last_sent_ms_;     /* when bytes last went out (or the open) */
    uint64_t frames_sent_;      /* whole history frames written */
    uint64_t reach_;            /* frames behind allowed for having started
                                   far back; only shrinks */
    size_t max_lag_;
    size_t margin_kept_;        /* history rule: frames the last one sent
                                   must keep from the oldest */
    size_t padding_;
    size_t offset_;             /* bytes of the current part already sent */
    int status_;                /* SSE_OK, or the close code, sticky */
    unsigned char part_;        /* opening, heartbeat or frames */
    unsigned char resync_;      /* the opening ends with the resync event */
    void *reserved_[2];
};

struct sse_client {
    uint64_t initial_retry_, max_delay_, rng_;
    unsigned failures_; /* attempts in a row with no event */
    int verdict_;       /* SSE_CLIENT_* of the last response, or -1 */
    int healthy_;       /* an event arrived on this connection */
    void *reserved_[2];
};

#ifdef __cplusplus
}
#endif

#endif /* SSE_H */
