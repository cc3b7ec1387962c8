# Shared by run.sh and ab.sh (sourced, from the repository root): tools, ports, nginx configurations, Vigil set-up
# and sign-in.

# wrk and nginx from Debian when missing; sets NGINX.
ensure_tools() {
  local need=()
  command -v wrk >/dev/null 2>&1 || need+=(wrk)
  command -v nginx >/dev/null 2>&1 || [[ -x /usr/sbin/nginx ]] || need+=(nginx)
  if ((${#need[@]})); then
    echo "bench: installing ${need[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null && apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  fi
  NGINX=$(command -v nginx || echo /usr/sbin/nginx)
  export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

nginx_conf() { # dir server-block [workers]
  mkdir -p "$1/tmp"
  cat > "$1/nginx.conf" <<CONF
worker_processes ${3:-1};
pid $1/nginx.pid;
error_log $1/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 1000000;
  client_body_temp_path $1/tmp; proxy_temp_path $1/tmp; fastcgi_temp_path $1/tmp; uwsgi_temp_path $1/tmp; scgi_temp_path $1/tmp;
  $2
}
CONF
}

# The upstream every target forwards to: a fixed 20-byte body.
upstream_conf() { # dir port
  nginx_conf "$1" "server { listen 127.0.0.1:$2; location / { default_type text/plain; return 200 \"hello from upstream\\n\"; } }"
}

# A Vigil configuration (one session route to the upstream, the demo policy) and its user `bench`. With a fifth
# argument (written, synced or async) the configuration sets audit.durability; without, Vigil's default applies
# (and a build older than the setting still starts).
vigil_setup() { # dir port upstream-port vigil-command [durability]
  mkdir -p "$1/policies"
  cp examples/gateway/policies/gateway.rego "$1/policies/"
  cat > "$1/vigil.yaml" <<CONF
version: 1
server: { listen: [http://127.0.0.1:$2], public_url: http://127.0.0.1:$2, data_dir: ./data }
policies: { directories: [./policies] }
${5:+audit: { durability: $5 \}}
routes:
  - { name: app, path: /, upstreams: [http://127.0.0.1:$3], resource: { name: app, classification: internal } }
CONF
  $4 users add bench --password bench-password-1 --role engineer --config "$1/vigil.yaml" >/dev/null
}

# Signs in once through the real OIDC flow (login page + antiforgery token) and prints the session cookie, after
# checking that it reaches the upstream; exits on failure.
vigil_login() { # port jar-file
  local b="http://127.0.0.1:$1" jar=$2 page tok ret session status
  for _ in $(seq 1 100); do curl -s -o /dev/null "$b/.vigil/health" && break; sleep 0.2; done
  page=$(curl -s -c "$jar" -b "$jar" -L -H 'Accept: text/html' "$b/")
  tok=$(grep -o 'name="__vigil_csrf" value="[^"]*"' <<<"$page" | head -1 | sed 's/.*value="//; s/"$//')
  ret=$(grep -o 'name="returnUrl" value="[^"]*"' <<<"$page" | sed 's/.*value="//; s/"$//; s/&amp;/\&/g')
  curl -s -o /dev/null -c "$jar" -b "$jar" -L -H 'Accept: text/html' --data-urlencode "__vigil_csrf=$tok" --data-urlencode "returnUrl=$ret" \
    --data-urlencode username=bench --data-urlencode password=bench-password-1 "$b/.vigil/idp/login"
  session=$(awk '$6=="__vigil_session"{print $7}' "$jar")
  [[ -n "$session" ]] || { echo "bench: could not sign in to Vigil on port $1" >&2; return 1; }
  status=$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: __vigil_session=$session" "$b/bench")
  [[ "$status" == 200 ]] || { echo "bench: session request on port $1 got $status" >&2; return 1; }
  echo "$session"
}
