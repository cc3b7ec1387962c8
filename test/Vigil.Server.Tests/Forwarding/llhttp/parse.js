'use strict';
// The independent parser of the forwarder's differential tests: llhttp, the HTTP/1.1 parser of Node.js, in its
// strict mode (no lenient flags). Reads one case per line on stdin (JSON) and writes one verdict per line on stdout,
// in order, so one process serves a whole test run.
//
//   {"kind":"response","data":B64,"headRequest":false}
//     data is what the upstream sends (interim 1xx responses, the final response), after which the stream ends.
//     Verdict: {"head":"ok"|"error"|"incomplete", "error":..., "headLength":N, "status":200, "minor":1,
//      "keepAlive":true, "upgrade":false, "framing":"none"|"length"|"chunked"|"close", "length":"N",
//      "message":"complete"|"error"|"truncated", "body":B64}
//     headLength counts the bytes up to the end of the final head, interim responses included.
//   {"kind":"request","data":B64}
//     data is a request head alone (any body it announces is not there). Verdict: {"ok":true, "method":"GET", "url":"/x", "major":1, "minor":1, "headers":[[name, value], ...]} with names
//     and values as Latin-1 strings (one char per byte), or {"ok":false, "error":...}.
//
// The framing is not exposed by the binding, so it is read from how llhttp treats what follows the head: a chunk
// size probe, a run of body bytes and the end of the stream.

const { HTTPParser, allMethods } = process.binding('http_parser');
const MaxHeaderSize = 1 << 20; // above Vigil's 64 KiB head limit: the size limit is compared separately
const LenientNone = 0;

function run(type, chunks, { headRequest = false, finish = false, stopAfterHead = false } = {}) {
  const parser = new HTTPParser();
  parser.initialize(type, {}, MaxHeaderSize, LenientNone);
  const result = { head: null, done: false, body: [], error: null, upgrade: false };
  let pendingHeaders = [];
  let pendingUrl = '';
  parser[HTTPParser.kOnHeaders] = (headers, url) => {
    if (result.head === null) {
      pendingHeaders.push(...headers);
      pendingUrl += url;
    }
  };
  parser[HTTPParser.kOnHeadersComplete] = (major, minor, headers, method, url, status, reason, upgrade, keepAlive) => {
    const all = headers === undefined ? pendingHeaders : pendingHeaders.concat(headers);
    const target = url === undefined ? pendingUrl : pendingUrl + url;
    pendingHeaders = [];
    pendingUrl = '';
    if (type === HTTPParser.RESPONSE && status < 200 && status !== 101) {
      return 1; // interim response: no body, the final one follows (as Node's http client does)
    }

    result.head = { major, minor, headers: all, method: allMethods[method], url: target, status, keepAlive };
    if (upgrade || (type === HTTPParser.RESPONSE && status === 101)) {
      result.upgrade = true;
    }

    // 2: no body and the rest is another protocol, so execute() stops right after the head and says where.
    return stopAfterHead ? 2 : headRequest ? 1 : 0;
  };
  parser[HTTPParser.kOnBody] = (buffer, start, length) => {
    if (result.head !== null && !result.done) {
      // Node 20 passes a slice; older versions pass the whole buffer with an offset and a length.
      result.body.push(Buffer.from(length === undefined ? buffer : buffer.subarray(start, start + length)));
    }
  };
  parser[HTTPParser.kOnMessageComplete] = () => {
    if (result.head !== null) {
      result.done = true;
    }
  };

  for (const chunk of chunks) {
    if (result.done || result.upgrade) {
      break; // what follows a complete final response is the next message: not this case's business
    }

    const r = parser.execute(chunk);
    result.parsed = r;
    if (r instanceof Error) {
      if (!result.done) {
        result.error = `${r.code}: ${r.reason}`;
      }

      break;
    }
  }

  if (finish && !result.done && !result.upgrade && result.error === null) {
    const r = parser.finish();
    if (r instanceof Error && !result.done) {
      result.truncated = `${r.code}: ${r.reason}`;
    }

    result.endedByClose = result.done;
  }

  parser.close?.();
  return result;
}

const Probe = Buffer.alloc(64, 'x');

function framing(head, headRequest, declared) {
  // 'x' is no chunk size, is 64 body bytes to a length or to a body read until the end of the stream.
  const probe = run(HTTPParser.RESPONSE, [head, Probe], { headRequest, finish: true });
  if (probe.error !== null) {
    const last = run(HTTPParser.RESPONSE, [head, Buffer.from('0\r\n\r\n')], { headRequest });
    return last.done && last.body.length === 0 ? { framing: 'chunked' } : { framing: 'unknown', error: probe.error };
  }

  if (probe.done) {
    return probe.endedByClose ? { framing: 'close' } : { framing: 'length', length: String(Buffer.concat(probe.body).length) };
  }

  // A length longer than the probe: the declared value, confirmed by a run of exactly that many bytes when small.
  if (declared === null) {
    return { framing: 'unknown', error: 'body longer than the probe without a Content-Length' };
  }

  if (declared <= 1n << 16n) {
    const exact = run(HTTPParser.RESPONSE, [head, Buffer.alloc(Number(declared), 'x')], { headRequest });
    if (!exact.done) {
      return { framing: 'unknown', error: `not complete after the declared ${declared} bytes` };
    }
  }

  return { framing: 'length', length: declared.toString() };
}

function declaredLength(headers) {
  let value = null;
  for (let i = 0; i < headers.length; i += 2) {
    if (headers[i].toLowerCase() === 'content-length') {
      value = BigInt(headers[i + 1].trim());
    }
  }

  return value;
}

function response(c) {
  const data = Buffer.from(c.data, 'base64');
  const headRequest = c.headRequest === true;
  const split = run(HTTPParser.RESPONSE, [data], { stopAfterHead: true });
  if (split.error !== null) {
    return { head: 'error', error: split.error };
  }

  if (split.head === null) {
    return { head: 'incomplete' };
  }

  const head = data.subarray(0, split.parsed);
  const h = run(HTTPParser.RESPONSE, [head], { headRequest });
  const verdict = {
    head: 'ok', headLength: head.length, status: h.head.status, major: h.head.major, minor: h.head.minor,
    keepAlive: h.head.keepAlive, upgrade: h.upgrade,
  };
  if (h.upgrade) {
    return verdict;
  }

  Object.assign(verdict, h.done ? { framing: 'none' } : framing(head, headRequest, declaredLength(h.head.headers)));
  const whole = run(HTTPParser.RESPONSE, [data], { headRequest, finish: true });
  if (whole.done) {
    verdict.message = 'complete';
    verdict.body = Buffer.concat(whole.body).toString('base64');
  } else if (whole.error !== null) {
    verdict.message = 'error';
    verdict.error = whole.error;
  } else {
    verdict.message = 'truncated';
    verdict.error = whole.truncated;
  }

  return verdict;
}

function request(c) {
  // A head alone: llhttp stops after it (whatever body it announces) and must have used every byte.
  const data = Buffer.from(c.data, 'base64');
  const r = run(HTTPParser.REQUEST, [data], { stopAfterHead: true });
  if (r.error !== null) {
    return { ok: false, error: r.error };
  }

  if (r.head === null || r.parsed !== data.length) {
    return { ok: false, error: r.head === null ? 'incomplete head' : `the head ends at ${r.parsed} of ${data.length} bytes` };
  }

  const headers = [];
  for (let i = 0; i < r.head.headers.length; i += 2) {
    headers.push([r.head.headers[i], r.head.headers[i + 1]]);
  }

  return { ok: true, method: r.head.method, url: r.head.url, major: r.head.major, minor: r.head.minor, headers };
}

function verdictFor(line) {
  try {
    const c = JSON.parse(line);
    switch (c.kind) {
      case 'response': return response(c);
      case 'request': return request(c);
      case 'version': return { node: process.versions.node, llhttp: process.versions.llhttp };
      default: return { fault: `unknown kind ${c.kind}` };
    }
  } catch (e) {
    return { fault: String(e && e.stack || e) };
  }
}

let buffered = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', data => {
  buffered += data;
  let out = '';
  let newline;
  while ((newline = buffered.indexOf('\n')) >= 0) {
    const line = buffered.slice(0, newline);
    buffered = buffered.slice(newline + 1);
    if (line.length > 0) {
      out += JSON.stringify(verdictFor(line)) + '\n';
    }
  }

  if (out.length > 0) {
    process.stdout.write(out);
  }
});
