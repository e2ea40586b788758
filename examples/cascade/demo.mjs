console.log('The auth-service cascade demo is not built yet: it arrives with its own issue.');
