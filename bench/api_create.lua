-- wrk script: POSTs clusters with unique names (bench/run.sh, api benchmark).
local counter = 0
local prefix = string.format("w%d", math.random(100000, 999999))
request = function()
	counter = counter + 1
	local body = string.format('{"name":"%s-%d","spec":{"provider":"gcp","region":"us-east1"}}', prefix, counter)
	return wrk.format("POST", "/api/hyperfleet/v1/clusters", { ["Content-Type"] = "application/json" }, body)
end
setup = function(thread)
	math.randomseed(os.time() + math.floor(os.clock() * 1000000))
end
