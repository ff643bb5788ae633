#!/bin/sh
# tests/demo.sh: see bedrock-claude work with no AWS account.  Starts the
# bundled Bedrock simulator on 127.0.0.1 (its own CA, real SigV4 checks,
# real event-stream frames), streams one answer from it, stops it.
set -eu
cd "$(dirname "$0")/.."
D=build/sim/demo
mkdir -p "$D"
python3 tests/sim/bedrock_sim.py --dir "$D" --port 0 --delta-delay-ms 40 \
    >"$D/ready" 2>"$D/sim.log" &
SIM=$!
trap 'kill $SIM 2>/dev/null; wait $SIM 2>/dev/null || true' EXIT INT TERM
i=0
until grep -q READY "$D/ready" 2>/dev/null; do
    i=$((i + 1))
    if [ $i -gt 100 ] || ! kill -0 $SIM 2>/dev/null; then
        echo "demo: the simulator did not start; see $D/sim.log" >&2
        exit 1
    fi
    sleep 0.1
done
PORT=$(sed -n 's/.*port=\([0-9]*\).*/\1/p' "$D/ready")
CA=$(sed -n 's/.* ca=\([^ ]*\).*/\1/p' "$D/ready")

export AWS_REGION=us-east-1
export AWS_ACCESS_KEY_ID=AKIDSIMULATOR
export AWS_SECRET_ACCESS_KEY='simulator/secret/key+EXAMPLE'
export AWS_ENDPOINT_URL_BEDROCK_RUNTIME="https://localhost:$PORT"
export AWS_CA_BUNDLE="$CA"
PROMPT="/sim reply Hello! I am Claude, answering through a signed, streamed InvokeModelWithResponseStream call: SigV4 checked by the simulator, every event-stream frame CRC-checked by bedrock-claude. Against real Bedrock, leave out the simulator's endpoint and CA and use your own AWS credentials."

echo "\$ AWS_ENDPOINT_URL_BEDROCK_RUNTIME=https://localhost:$PORT ./bedrock-claude --verbose -p \"...\""
./bedrock-claude --verbose -p "$PROMPT"
echo "demo: exit status $?; the binary is $(wc -c <bedrock-claude) bytes: $(file -b bedrock-claude)"
