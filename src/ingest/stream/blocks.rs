//! Reading a file in blocks cut at record boundaries, and handing the
//! blocks to every core.

use super::record::Parser;
use super::{BLOCK, Doubt, Fold, Input, header::Roles};
use crate::digest::Sha256Stream;
use crate::money::Millionths;
use std::io::Read;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

/// A file's bytes as they are read: hashed, counted, and refused past the
/// size limit, whatever the source.
pub(super) struct ByteSource<R> {
    reader: R,
    hasher: Option<Sha256Stream>,
    /// Bytes read so far.
    pub(super) read: u64,
    limit: u64,
    /// The source has no more bytes.
    pub(super) ended: bool,
}

impl<R> ByteSource<R> {
    /// The file's SHA-256, when it was asked for.
    pub(super) fn sha256(self) -> Option<String> {
        self.hasher.map(Sha256Stream::finish)
    }
}

impl<R: Read> ByteSource<R> {
    pub(super) fn new(reader: R, input: &Input<'_>) -> ByteSource<R> {
        ByteSource {
            reader,
            hasher: input.hash.then(Sha256Stream::default),
            read: 0,
            limit: input.limits.ledger_file_bytes,
            ended: false,
        }
    }

    /// Reads into `buffer` until it holds `want` bytes or the source ends.
    pub(super) fn fill(&mut self, buffer: &mut Vec<u8>, want: usize) -> Result<(), Doubt> {
        if self.ended {
            return Ok(());
        }
        let before = buffer.len();
        let missing = want.saturating_sub(before);
        // Read into the buffer's room directly, in as few calls as the kernel
        // allows (a file in the page cache fills it in one).
        buffer.resize(before + missing, 0);
        let mut filled = before;
        while filled < buffer.len() {
            match self.reader.read(&mut buffer[filled..]) {
                Ok(0) => break,
                Ok(read) => filled += read,
                Err(error) if error.kind() == std::io::ErrorKind::Interrupted => {}
                Err(_) => return Err(Doubt("read error")),
            }
        }
        buffer.truncate(filled);
        if let Some(hasher) = &mut self.hasher {
            hasher.update(&buffer[before..]);
        }
        self.read += (filled - before) as u64;
        if self.read > self.limit {
            return Err(Doubt("file above the size limit"));
        }
        self.ended = filled - before < missing;
        Ok(())
    }
}

/// The first bytes of a file, up to and including the header's line end
/// (in as many blocks as it takes, up to the line limit).
pub(super) fn first_line<R: Read>(
    source: &mut ByteSource<R>,
    input: &Input<'_>,
) -> Result<Vec<u8>, Doubt> {
    let block = input.block.max(1);
    let mut first = Vec::with_capacity(block);
    while !source.ended && memchr::memchr2(b'\n', b'\r', &first).is_none() {
        if first.len() > input.limits.line_bytes {
            return Err(Doubt("no header line within the line limit"));
        }
        let want = first.len() + block;
        source.fill(&mut first, want)?;
    }
    if first.last() == Some(&b'\r') {
        // The `\n` of a `\r\n` after the header belongs with it.
        let want = first.len() + 1;
        source.fill(&mut first, want)?;
    }
    Ok(first)
}

/// The shared reading position: one core at a time takes the next block.
pub(super) struct Cursor<R> {
    pub(super) source: ByteSource<R>,
    /// The bytes read past the last block's end: the start of the next one.
    tail: Vec<u8>,
    next_block: u32,
    quote: u8,
    line_bytes: usize,
    block: usize,
}

impl<R: Read> Cursor<R> {
    /// The cursor after the header; `tail` holds the bytes read past it.
    pub(super) fn new(source: ByteSource<R>, tail: Vec<u8>, input: &Input<'_>) -> Cursor<R> {
        Cursor {
            source,
            tail,
            next_block: 0,
            quote: input.dialect.quote,
            line_bytes: input.limits.line_bytes,
            block: input.block.max(1),
        }
    }

    /// Fills `block` with the next whole records; `None` at the end.
    fn next(&mut self, block: &mut Vec<u8>) -> Result<Option<u32>, Doubt> {
        block.clear();
        block.append(&mut self.tail);
        // A record longer than a block grows the block, up to the line limit.
        let most = self.block.saturating_add(self.line_bytes.saturating_mul(2));
        let mut want = self.block;
        loop {
            self.source.fill(block, want)?;
            if self.source.ended {
                break;
            }
            if let Some(end) = record_boundary(block, self.quote) {
                self.tail.extend_from_slice(&block[end..]);
                block.truncate(end);
                break;
            }
            if block.len() >= most {
                return Err(Doubt("no record boundary within the line limit"));
            }
            want = block.len() + self.block;
        }
        if block.is_empty() {
            return Ok(None);
        }
        let index = self.next_block;
        self.next_block += 1;
        Ok(Some(index))
    }
}

/// The end of the last complete line of `block` that lies outside quotes,
/// assuming the block starts outside quotes: a cut there falls between two
/// records. Quotes are counted by parity, which a stray quote inside an
/// unquoted cell can mislead; the parser then finds the block ending inside
/// a quote and doubts, so a wrong cut is never taken for a right one.
pub(super) fn record_boundary(block: &[u8], quote: u8) -> Option<usize> {
    let mut quotes_after = 0usize;
    let total = memchr::memchr_iter(quote, block).count();
    let mut end = block.len();
    while let Some(newline) = memchr::memrchr2(b'\n', quote, &block[..end]) {
        if block[newline] == quote {
            quotes_after += 1;
        } else if (total - quotes_after).is_multiple_of(2) {
            return Some(newline + 1);
        }
        end = newline;
    }
    None
}

/// Counts of one block.
#[derive(Debug, Default, Clone, Copy)]
pub(super) struct Count {
    /// Physical lines: terminators, plus a last line without one.
    pub(super) lines: u64,
    pub(super) blank: u64,
    pub(super) records: u64,
    pub(super) debits: Millionths,
    pub(super) credits: Millionths,
}

/// What every core reads with.
struct Context<'a> {
    input: &'a Input<'a>,
    roles: &'a Roles<'a>,
    /// Set by the first core that doubts: the others stop early.
    stop: AtomicBool,
}

/// Parses every block of the file, one fold per core; the counts of each
/// block, in file order.
pub(super) fn read_on_every_core<F: Fold, R: Read + Send>(
    input: &Input<'_>,
    roles: &Roles<'_>,
    cursor: &Mutex<Cursor<R>>,
    folds: &mut [F],
) -> Result<Vec<(u32, Count)>, Doubt> {
    let context = Context {
        input,
        roles,
        stop: AtomicBool::new(false),
    };
    let results: Vec<Result<Vec<(u32, Count)>, Doubt>> = std::thread::scope(|scope| {
        let (own, others) = folds.split_first_mut().ok_or(Doubt("no fold"))?;
        let handles: Vec<_> = others
            .iter_mut()
            .map(|fold| scope.spawn(|| work(&context, cursor, fold)))
            .collect();
        let mut results = vec![work(&context, cursor, own)];
        for handle in handles {
            results.push(
                handle
                    .join()
                    .unwrap_or(Err(Doubt("a reading thread failed"))),
            );
        }
        Ok::<_, Doubt>(results)
    })?;
    let mut counts = Vec::new();
    for result in results {
        counts.extend(result?);
    }
    counts.sort_by_key(|(block, _)| *block);
    Ok(counts)
}

/// One core's loop: take a block, parse it, until the file ends.
fn work<F: Fold, R: Read>(
    context: &Context<'_>,
    cursor: &Mutex<Cursor<R>>,
    fold: &mut F,
) -> Result<Vec<(u32, Count)>, Doubt> {
    let mut block = Vec::with_capacity(context.input.block.saturating_mul(2).min(BLOCK * 4));
    let mut parser = Parser::new(context.input, context.roles);
    let mut counts = Vec::new();
    loop {
        if context.stop.load(Ordering::Relaxed) {
            return Err(Doubt("another core doubted"));
        }
        if context.input.cancelled.is_some_and(|cancelled| cancelled()) {
            context.stop.store(true, Ordering::Relaxed);
            return Err(Doubt("interrupted"));
        }
        let next = {
            let mut cursor = cursor
                .lock()
                .map_err(|_| Doubt("a reading thread failed"))?;
            cursor.next(&mut block)
        };
        let parsed = match next {
            Ok(Some(index)) => parser
                .block(&block, index, fold)
                .map(|count| (index, count)),
            Ok(None) => return Ok(counts),
            Err(doubt) => Err(doubt),
        };
        match parsed {
            Ok(count) => counts.push(count),
            Err(doubt) => {
                context.stop.store(true, Ordering::Relaxed);
                return Err(doubt);
            }
        }
        if let Some(progress) = context.input.progress {
            progress.fetch_add(block.len() as u64, Ordering::Relaxed);
        }
    }
}
