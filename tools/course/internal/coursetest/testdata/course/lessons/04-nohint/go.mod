module fixture/lessons/04-nohint

go 1.26.0
